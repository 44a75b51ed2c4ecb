"""My listings: a seller's own listings with their status, and for each one edit, mark as sold, renew or
delete.

Payloads: ``market:mine``, ``market:m:<id>``, ``market:me:<id>``, ``market:sold:<id>``, ``market:renew:<id>``,
``market:del:<id>[:yes]`` (see ``actions``).
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.payloads import Action
from bot.router import Router
from bot.types import Button, rows
from handlers.market.actions import DELETE, EDIT_LISTING, MANAGE, MINE, POST, RENEW, SOLD
from handlers.market.common import STATUS_LABELS, get_draft, home_button, listing_replies, name_label
from handlers.market.draft import preview
from storage.market import Listing, ListingStatus, MarketDraft, listing_of, seller_listings

router = Router("market.mine")


@router.on(MINE)
async def my_listings(ctx: Context) -> None:
    ctx.goto(None)
    listings = await seller_listings(ctx.session, ctx.user.id, limit=20)
    if not listings:
        ctx.reply(ctx._("You have no listings yet."),
                  rows(Button(ctx._("Post a listing"), POST.encode()), home_button(ctx), width=2))
        return
    lines = []
    for listing in listings:
        line = f"• {listing.name} · {ctx.t.price(float(listing.price), listing.currency)} · " \
               f"{ctx._(STATUS_LABELS[listing.status])}"
        if listing.status == ListingStatus.ACTIVE and listing.expires_at:
            line += " " + ctx._("(until {date})", date=ctx.t.datetime(listing.expires_at))
        lines.append(line)
    buttons = rows(*(Button(name_label(lst.name), MANAGE.encode(lst.id)) for lst in listings))
    ctx.reply("\n".join(lines), buttons + rows(Button(ctx._("Post a listing"), POST.encode()), home_button(ctx),
                                                width=2), title=ctx._("My listings"))


def my_listings_button(ctx: Context) -> tuple[tuple[Button, ...], ...]:
    return rows(Button(ctx._("My listings"), MINE.encode()))


async def own_listing(ctx: Context, action: Action) -> Listing | None:
    """The seller's own listing whose id the pressed ``action`` carries (not a deleted one)."""
    listing_id = action.arg(ctx)
    listing = await listing_of(ctx.session, listing_id) if listing_id is not None else None
    if listing is None or listing.seller_id != ctx.user.id or listing.status == ListingStatus.DELETED:
        ctx.reply(ctx._("That listing is no longer available."), my_listings_button(ctx))
        return None
    return listing


@router.on(MANAGE)
async def manage(ctx: Context) -> None:
    if (listing := await own_listing(ctx, MANAGE)) is None:
        return
    status = ctx._(STATUS_LABELS[listing.status])
    if listing.status == ListingStatus.REJECTED and listing.reject_reason:
        status += " — " + listing.reject_reason
    if listing.status == ListingStatus.ACTIVE and listing.expires_at:
        status += " " + ctx._("(until {date})", date=ctx.t.datetime(listing.expires_at))
    buttons = [Button(ctx._("Edit"), EDIT_LISTING.encode(listing.id))]
    if listing.status == ListingStatus.ACTIVE:
        buttons.append(Button(ctx._("Mark as sold"), SOLD.encode(listing.id)))
    if listing.status in (ListingStatus.ACTIVE, ListingStatus.EXPIRED):
        buttons.append(Button(ctx._("Renew"), RENEW.encode(listing.id)))
    buttons += [Button(ctx._("Delete"), DELETE.encode(listing.id)), Button(ctx._("My listings"), MINE.encode())]
    for reply in await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel,
                                       extra=ctx._("Status: {status}", status=status), buttons=rows(*buttons, width=2)):
        ctx.replies.append(reply)


@router.on(EDIT_LISTING)
async def edit_listing(ctx: Context) -> None:
    if (listing := await own_listing(ctx, EDIT_LISTING)) is None:
        return
    draft = await get_draft(ctx)
    if draft is None:
        draft = MarketDraft(user_id=ctx.user.id, data={}, updated_at=ctx.now)
        ctx.session.add(draft)
    draft.listing_id = listing.id
    draft.data = {"name": listing.name, "description": listing.description, "price": listing.price,
                  "currency": listing.currency, "category": listing.category, "photos": list(listing.photos),
                  "location": listing.location, "province": listing.province, "contact": listing.contact}
    draft.updated_at = ctx.now
    await preview(ctx, draft)


@router.on(SOLD)
async def mark_sold(ctx: Context) -> None:
    if (listing := await own_listing(ctx, SOLD)) is None:
        return
    if listing.status != ListingStatus.ACTIVE:
        ctx.reply(ctx._("Only a listing in the marketplace can be marked as sold."), my_listings_button(ctx))
        return
    listing.status = ListingStatus.SOLD
    listing.updated_at = ctx.now
    ctx.reply(ctx._("🎉 Congratulations! “{name}” is marked as sold and no longer shown to buyers.",
                    name=listing.name), rows(Button(ctx._("My listings"), MINE.encode()), home_button(ctx), width=2))


@router.on(RENEW)
async def renew(ctx: Context) -> None:
    if (listing := await own_listing(ctx, RENEW)) is None:
        return
    if listing.status not in (ListingStatus.ACTIVE, ListingStatus.EXPIRED):
        ctx.reply(ctx._("This listing can't be renewed now ({status}).", status=ctx._(STATUS_LABELS[listing.status])),
                  my_listings_button(ctx))
        return
    listing.status = ListingStatus.ACTIVE
    listing.expires_at = ctx.now + timedelta(days=ctx.deps.settings.listing_days)
    listing.reminded_at = None
    listing.updated_at = ctx.now
    ctx.reply(ctx._("“{name}” stays in the marketplace until {date}.", name=listing.name,
                    date=ctx.t.datetime(listing.expires_at)),
              rows(Button(ctx._("My listings"), MINE.encode()), home_button(ctx), width=2))


@router.on(DELETE)
async def delete(ctx: Context) -> None:
    if (listing := await own_listing(ctx, DELETE)) is None:
        return
    if DELETE.args(ctx)[1:] != ("yes",):
        ctx.reply(ctx._("Delete “{name}” for good?", name=listing.name),
                  rows(Button(ctx._("Yes, delete"), DELETE.encode(listing.id, "yes")),
                       Button(ctx._("No"), MANAGE.encode(listing.id)), width=2))
        return
    listing.status = ListingStatus.DELETED
    listing.updated_at = ctx.now
    ctx.reply(ctx._("“{name}” was deleted.", name=listing.name),
              rows(Button(ctx._("My listings"), MINE.encode()), home_button(ctx), width=2))
