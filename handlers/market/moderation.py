"""Moderation of listings by trainers and admins: approve, reject (with a reason the seller is told),
take down a reported listing, or keep it.

Payloads: ``market:mod:ok:<id>``, ``market:mod:no:<id>``, ``market:mod:keep:<id>``, ``market:mod:back`` (see
``actions``). The queue of what waits for a decision is ``queue``.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.i18n import N_
from bot.payloads import Action
from bot.router import Router
from bot.text.normalise import normalise_text
from bot.types import Button, Reply, rows
from handlers.market.actions import APPROVE, KEEP_LISTING, MINE, MOD_BACK, QUEUE, REJECT, moderation_button
from handlers.market.common import (
    REASON_MAX,
    STATUS_LABELS,
    MarketStep,
    home_button,
    is_moderator,
    no_command,
    publish_at,
    t_for,
)
from storage.market import Listing, ListingStatus, clear_reports, listing_of
from storage.models import User

router = Router("market.moderation")

# Reasons a moderator can pick in the console instead of typing one (the seller reads it in their language).
REJECT_REASONS = {
    "photos": N_("The photos are missing, unclear or not of the product."),
    "price": N_("The price is missing or not right."),
    "description": N_("The description is too short or unclear."),
    "prohibited": N_("This product may not be sold here (wildlife, heritage objects or other prohibited goods)."),
    "handmade": N_("The marketplace is for hand-made products of the artisans themselves."),
    "duplicate": N_("The same product is already listed."),
}


# --- the decisions, shared by the chat and the console (handlers.market.pages) ---------------------------


def approve_listing(listing: Listing, moderator_id: int, now: datetime, days: int) -> None:
    """Put a listing waiting for review in the marketplace, recording who decided."""
    publish_at(listing, now, days)
    listing.moderator_id, listing.moderated_at = moderator_id, now


def reject_listing(listing: Listing, reason: str, moderator_id: int, now: datetime) -> bool:
    """Refuse a listing waiting for review, or take a live one out; True if it was in the marketplace."""
    was_public = listing.status == ListingStatus.ACTIVE
    listing.status = ListingStatus.REJECTED
    listing.reject_reason = reason
    listing.updated_at = now
    listing.moderator_id, listing.moderated_at = moderator_id, now
    return was_public


def hide_listing(listing: Listing, moderator_id: int, now: datetime) -> None:
    """Take a live or expired listing out of sight (the console's "Hide"); the seller sees it as hidden."""
    listing.status = ListingStatus.HIDDEN
    listing.updated_at = now
    listing.moderator_id, listing.moderated_at = moderator_id, now


def restore_listing(listing: Listing, moderator_id: int, now: datetime) -> None:
    """Bring a hidden listing back: live again if its time has not run out, else expired (the seller can renew)."""
    live = listing.expires_at is not None and listing.expires_at > now
    listing.status = ListingStatus.ACTIVE if live else ListingStatus.EXPIRED
    listing.updated_at = now
    listing.moderator_id, listing.moderated_at = moderator_id, now


def clean_reason(text: str) -> str:
    """A typed reason on one line, normalised as everything users type."""
    return " ".join(normalise_text(text).split())


def approved_notice(seller: User, listing: Listing, now: datetime) -> Reply:
    """What the seller is told, in their language, when their listing is approved."""
    t = t_for(seller)
    return Reply(t.gettext("✅ Your listing “{name}” is now in the marketplace, until {date}.", name=listing.name,
                           date=t.datetime(listing.expires_at or now)),
                 rows(Button(t.gettext("My listings"), MINE.encode())), kind="moderation")


def rejected_notice(seller: User, listing: Listing, reason: str) -> Reply:
    """What the seller is told, in their language, when their listing is not accepted (or taken out)."""
    t = t_for(seller)
    return Reply(t.gettext("Your listing “{name}” was not accepted. Reason: {reason}\nYou can change it and send it "
                           "again from My listings.", name=listing.name, reason=reason),
                 rows(Button(t.gettext("My listings"), MINE.encode())), kind="moderation")


# --- the chat side -----------------------------------------------------------------------------------------


def queue_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """After a decision: on to the next listing waiting (``/pending``), or the marketplace."""
    return rows(Button(ctx._("To review"), QUEUE.encode(0)), home_button(ctx), width=2)


async def target(ctx: Context, action: Action) -> Listing | None:
    """The listing whose id the pressed ``action`` carries, unless it is gone."""
    listing = await listing_of(ctx.session, action.arg(ctx))
    if listing is None or listing.status == ListingStatus.DELETED:
        ctx.reply(ctx._("That listing is no longer there."))
        return None
    return listing


@router.on(APPROVE, is_moderator)
async def approve(ctx: Context) -> None:
    if (listing := await target(ctx, APPROVE)) is None:
        return
    if listing.status != ListingStatus.PENDING:
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=listing.name,
                        status=ctx._(STATUS_LABELS[listing.status])))
        return
    approve_listing(listing, ctx.user.id, ctx.now, ctx.deps.settings.listing_days)
    ctx.reply(ctx._("Approved: “{name}” is in the marketplace.", name=listing.name), queue_buttons(ctx))
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is not None:
        ctx.send(seller, approved_notice(seller, listing, ctx.now))


@router.on(REJECT, is_moderator)
async def reject(ctx: Context) -> None:
    if (listing := await target(ctx, REJECT)) is None:
        return
    if listing.status not in (ListingStatus.PENDING, ListingStatus.ACTIVE):
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=listing.name,
                        status=ctx._(STATUS_LABELS[listing.status])))
        return
    ctx.goto(MarketStep.REJECT, listing=listing.id)
    ctx.reply(ctx._("Why is “{name}” not accepted? Type the reason; the seller will be told.", name=listing.name),
              rows(Button(ctx._("Cancel"), MOD_BACK.encode())))


@router.on(MOD_BACK, is_moderator)
async def back(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("Nothing was changed."), queue_buttons(ctx))


@router.step(MarketStep.REJECT, filters=[is_moderator, no_command])
async def got_reason(ctx: Context) -> None:
    listing = await listing_of(ctx.session, int(ctx.data.get("listing") or 0))
    if listing is None or listing.status not in (ListingStatus.PENDING, ListingStatus.ACTIVE):
        ctx.goto(None)
        ctx.reply(ctx._("That listing was already handled."))
        return
    reason = clean_reason(ctx.msg.text)
    if not reason or ctx.msg.media:
        ctx.reply(ctx._("Please type the reason."))
        return
    if len(reason) > REASON_MAX:
        ctx.reply(ctx._("Please keep the reason under {max} characters.", max=REASON_MAX))
        return
    was_public = reject_listing(listing, reason, ctx.user.id, ctx.now)
    ctx.goto(None)
    # A listing that was waiting for review was never in the marketplace: it is rejected, not taken out.
    done = (ctx._("“{name}” was taken out; the seller was told why.", name=listing.name) if was_public
            else ctx._("“{name}” was rejected; the seller was told why.", name=listing.name))
    ctx.reply(done, queue_buttons(ctx))
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is not None:
        ctx.send(seller, rejected_notice(seller, listing, reason))


@router.on(KEEP_LISTING, is_moderator)
async def keep(ctx: Context) -> None:
    if (listing := await target(ctx, KEEP_LISTING)) is None:
        return
    # The reports were looked at: they no longer wait in the queue (a new report brings it back).
    await clear_reports(ctx.session, listing.id)
    ctx.reply(ctx._("OK, “{name}” stays.", name=listing.name), queue_buttons(ctx))


@router.on(moderation_button)
async def not_moderator(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
