"""The moderation queue: listings waiting for review, oldest first, and reported listings still in the
marketplace, a page at a time, each with its decision buttons (handled in ``moderation``).

A listing sent while nobody was a moderator (or before someone became one) was never shown to anyone: the
queue lists everything waiting whenever a moderator asks.

Listings are named by their id ("#12", "Approve #12"), never by their place in the queue: after a decision
the others keep their numbers, so an "Approve #2" typed or pressed from an older screen is still the same
listing.

Payloads: ``/pending``, ``market:queue:<offset>``, ``market:qrep:<offset>`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.payloads import Action
from bot.router import Command, Router
from bot.types import Button, rows
from handlers.market.actions import APPROVE, KEEP_LISTING, QUEUE, QUEUE_REPORTS, REJECT
from handlers.market.common import PAGE, REPORT_REASONS, home_button, is_moderator, listing_replies
from storage.market import Listing, count_pending, listings_by_id, pending_listings, reported_listings
from storage.models import User

router = Router("market.queue")


def offset_of(ctx: Context, action: Action) -> int:
    """The page's offset carried by the pressed button (0 for ``/pending`` or a bare button)."""
    offset = action.arg(ctx, 0)
    return offset if offset >= 0 else 0


async def seller_name(ctx: Context, listing: Listing) -> str:
    seller = await ctx.session.get(User, listing.seller_id)
    return seller.name if seller is not None and seller.name else "?"


@router.on(Command("pending"), is_moderator)
@router.on(QUEUE, is_moderator)
async def queue(ctx: Context) -> None:
    """Listings waiting for review, a page at a time, each with Approve / Reject."""
    ctx.goto(None)
    offset = offset_of(ctx, QUEUE)
    total = await count_pending(ctx.session)
    reports = len(await reported_listings(ctx.session))
    listings = await pending_listings(ctx.session, offset=offset, limit=PAGE)
    tail = []
    if reports:
        tail.append(Button(ctx._("Reports ({n})", n=ctx.t.number(reports)), QUEUE_REPORTS.encode(0)))
    tail.append(home_button(ctx))
    if not listings:
        text = ctx._("No listings are waiting for review.") if offset == 0 or not total else ctx._("That was all.")
        if reports:
            text += "\n" + ctx.ngettext("{n} reported listing is waiting for review.",
                                         "{n} reported listings are waiting for review.", reports)
        ctx.reply(text, rows(*tail, width=2), title=ctx._("To review"))
        return
    buttons = []
    for listing in listings:
        note = ctx._("#{number} · from {seller}, sent {date}", number=listing.id,
                     seller=await seller_name(ctx, listing), date=ctx.t.datetime(listing.updated_at))
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, extra=note))
        buttons += [Button(ctx._("Approve #{number}", number=listing.id), APPROVE.encode(listing.id)),
                    Button(ctx._("Reject #{number}", number=listing.id), REJECT.encode(listing.id))]
    more = [Button(ctx._("More"), QUEUE.encode(offset + PAGE))] if offset + len(listings) < total else []
    text = ctx.ngettext("{n} listing is waiting for review.", "{n} listings are waiting for review.", total)
    text += shown(ctx, offset, len(listings), total)
    if reports:
        text += "\n" + ctx.ngettext("{n} reported listing is waiting for review.",
                                     "{n} reported listings are waiting for review.", reports)
    ctx.reply(text, rows(*buttons, *more, *tail, width=2), title=ctx._("To review"))


def shown(ctx: Context, offset: int, count: int, total: int) -> str:
    """Which page this is (" Page 2 of 3."), when the queue is longer than a page; nothing otherwise."""
    if count >= total:
        return ""
    return " " + ctx._("Page {page} of {pages}.", page=ctx.t.number(offset // PAGE + 1),
                       pages=ctx.t.number((total + PAGE - 1) // PAGE))


@router.on(QUEUE_REPORTS, is_moderator)
async def queue_reports(ctx: Context) -> None:
    """Reported listings still in the marketplace, each with Take it down / Keep it."""
    ctx.goto(None)
    offset = offset_of(ctx, QUEUE_REPORTS)
    found = await reported_listings(ctx.session)
    chunk = found[offset : offset + PAGE]
    listings = await listings_by_id(ctx.session, [listing_id for listing_id, _, _ in chunk])
    back = [Button(ctx._("Listings to review"), QUEUE.encode(0)), home_button(ctx)]
    if not chunk:
        ctx.reply(ctx._("No reports are waiting for review."), rows(*back, width=2), title=ctx._("Reports"))
        return
    buttons = []
    for listing_id, count, reasons in chunk:
        listing = listings[listing_id]
        note = ctx.ngettext("#{number} · reported {n} time: {reasons}", "#{number} · reported {n} times: {reasons}",
                            count, number=listing.id, reasons=", ".join(ctx._(REPORT_REASONS[r]) for r in reasons
                                                                         if r in REPORT_REASONS))
        ctx.replies.extend(await listing_replies(ctx.session, ctx.t, listing, ctx.msg.channel, extra=note))
        buttons += [Button(ctx._("Take down #{number}", number=listing.id), REJECT.encode(listing.id)),
                    Button(ctx._("Keep #{number}", number=listing.id), KEEP_LISTING.encode(listing.id))]
    more = [Button(ctx._("More"), QUEUE_REPORTS.encode(offset + PAGE))] if offset + len(chunk) < len(found) else []
    text = ctx.ngettext("{n} reported listing is waiting for review.", "{n} reported listings are waiting for review.",
                        len(found)) + shown(ctx, offset, len(chunk), len(found))
    ctx.reply(text, rows(*buttons, *more, *back, width=2), title=ctx._("Reports"))


@router.on(Command("pending"))
@router.on(QUEUE)
@router.on(QUEUE_REPORTS)
async def queue_refused(ctx: Context) -> None:
    ctx.reply(ctx._("Only moderators can do that."), rows(home_button(ctx)))
