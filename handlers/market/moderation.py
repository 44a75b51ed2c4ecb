"""Moderation of listings by trainers and admins: approve, reject (with a reason the seller is told),
take down a reported listing, or keep it.

Payloads: ``market:mod:ok:<id>``, ``market:mod:no:<id>``, ``market:mod:keep:<id>``.
"""

from __future__ import annotations

from sqlalchemy import delete

from bot.context import Context
from bot.i18n import normalise_text
from bot.router import Roles, Router
from bot.types import Button, Reply, rows
from handlers.market.common import MODERATORS, REASON_MAX, STATUS_LABELS, MarketStep, home_button, no_command, t_for
from handlers.market.post import publish
from storage.market import Listing, ListingReport, ListingStatus
from storage.models import User

router = Router("market.moderation")
is_moderator = Roles(*MODERATORS)


def queue_buttons(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """After a decision: on to the next listing waiting (``/pending``), or the marketplace."""
    return rows(Button(ctx._("To review"), "market:queue:0"), home_button(ctx), width=2)


async def target(ctx: Context, part: str) -> Listing | None:
    listing = await ctx.session.get(Listing, int(part)) if part.isdigit() else None
    if listing is None or listing.status == ListingStatus.DELETED:
        ctx.reply(ctx._("That listing is no longer there."))
        return None
    return listing


@router.button("market:mod:ok", filters=[is_moderator])
async def approve(ctx: Context) -> None:
    if (listing := await target(ctx, ctx.payload_parts[-1])) is None:
        return
    if listing.status != ListingStatus.PENDING:
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=listing.name,
                        status=ctx._(STATUS_LABELS[listing.status])))
        return
    publish(ctx, listing)
    ctx.reply(ctx._("Approved: “{name}” is in the marketplace.", name=listing.name), queue_buttons(ctx))
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is not None:
        t = t_for(seller)
        ctx.send(seller, Reply(
            t.gettext("✅ Your listing “{name}” is now in the marketplace, until {date}.", name=listing.name,
                      date=t.datetime(listing.expires_at or ctx.now, "medium")),
            rows(Button(t.gettext("My listings"), "market:mine")), kind="moderation"))


@router.button("market:mod:no", filters=[is_moderator])
async def reject(ctx: Context) -> None:
    if (listing := await target(ctx, ctx.payload_parts[-1])) is None:
        return
    if listing.status not in (ListingStatus.PENDING, ListingStatus.ACTIVE):
        ctx.reply(ctx._("Already handled: “{name}” is {status}.", name=listing.name,
                        status=ctx._(STATUS_LABELS[listing.status])))
        return
    ctx.goto(MarketStep.REJECT, listing=listing.id)
    ctx.reply(ctx._("Why is “{name}” not accepted? Type the reason; the seller will be told.", name=listing.name),
              rows(Button(ctx._("Cancel"), "market:mod:back")))


@router.button("market:mod:back", filters=[is_moderator])
async def back(ctx: Context) -> None:
    ctx.goto(None)
    ctx.reply(ctx._("Nothing was changed."), queue_buttons(ctx))


@router.step(MarketStep.REJECT, filters=[is_moderator, no_command])
async def got_reason(ctx: Context) -> None:
    listing = await ctx.session.get(Listing, int(ctx.data.get("listing") or 0))
    if listing is None or listing.status not in (ListingStatus.PENDING, ListingStatus.ACTIVE):
        ctx.goto(None)
        ctx.reply(ctx._("That listing was already handled."))
        return
    reason = " ".join(normalise_text(ctx.msg.text).split())
    if not reason or ctx.msg.media:
        ctx.reply(ctx._("Please type the reason."))
        return
    if len(reason) > REASON_MAX:
        ctx.reply(ctx._("Please keep the reason under {max} characters.", max=REASON_MAX))
        return
    was_public = listing.status == ListingStatus.ACTIVE
    listing.status = ListingStatus.REJECTED
    listing.reject_reason = reason
    listing.updated_at = ctx.now
    ctx.goto(None)
    # A listing that was waiting for review was never in the marketplace: it is rejected, not taken out.
    done = (ctx._("“{name}” was taken out; the seller was told why.", name=listing.name) if was_public
            else ctx._("“{name}” was rejected; the seller was told why.", name=listing.name))
    ctx.reply(done, queue_buttons(ctx))
    seller = await ctx.session.get(User, listing.seller_id)
    if seller is not None:
        t = t_for(seller)
        ctx.send(seller, Reply(
            t.gettext("Your listing “{name}” was not accepted. Reason: {reason}\nYou can change it and send it "
                      "again from My listings.", name=listing.name, reason=reason),
            rows(Button(t.gettext("My listings"), "market:mine")), kind="moderation"))


@router.button("market:mod:keep", filters=[is_moderator])
async def keep(ctx: Context) -> None:
    if (listing := await target(ctx, ctx.payload_parts[-1])) is None:
        return
    # The reports were looked at: they no longer wait in the queue (a new report brings it back).
    await ctx.session.execute(delete(ListingReport).where(ListingReport.listing_id == listing.id))
    ctx.reply(ctx._("OK, “{name}” stays.", name=listing.name), queue_buttons(ctx))


@router.button("market:mod")
async def not_moderator(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
