"""Reporting a listing (wildlife products, a counterfeit heritage object, a scam, …): the moderators are
told once per reporter; the report waits in their queue (``queue``) until someone decides.

Payloads: ``market:rep:<id>[:<reason>]`` (see ``actions``).
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.router import Router
from bot.types import Button, rows
from handlers.market.actions import KEEP_LISTING, REJECT, REPORT, VIEW
from handlers.market.common import REPORT_REASONS, home_button, send_to_moderators
from handlers.market.contact import visible_listing
from storage.market import ListingReport, has_reported

router = Router("market.reports")


@router.on(REPORT)
async def report(ctx: Context) -> None:
    listing_id, *rest = REPORT.args(ctx)
    if (listing := await visible_listing(ctx, listing_id)) is None:
        return
    reason = rest[0] if rest else None
    if reason not in REPORT_REASONS:
        buttons = rows(*(Button(ctx._(label), REPORT.encode(listing.id, code))
                         for code, label in REPORT_REASONS.items()), width=2)
        ctx.reply(ctx._("What is wrong with “{name}”?", name=listing.name),
                  buttons + rows(Button(ctx._("Back"), VIEW.encode(listing.id))))
        return
    already = await has_reported(ctx.session, listing.id, ctx.user.id)
    ctx.reply(ctx._("Thank you. A moderator will look at it."), rows(home_button(ctx)))
    if already:
        return
    ctx.session.add(ListingReport(listing_id=listing.id, reporter_id=ctx.user.id, reason=reason, created_at=ctx.now))
    await send_to_moderators(
        ctx, listing, N_("⚠️ Reported: {reason}."), {"reason": REPORT_REASONS[reason]},
        lambda t: rows(Button(t.gettext("Take it down"), REJECT.encode(listing.id)),
                       Button(t.gettext("Keep it"), KEEP_LISTING.encode(listing.id)), width=2),
    )
