"""Delivery reports: ``/report`` (the latest announcement, or ``/report 12``), the summary the author gets
when one has gone out, and the count of "I'm interested" taps (``ann:tap:<id>``, open to everyone).
The numbers come from ``storage.announcements.broadcast_stats``."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_, Translator
from bot.router import Command, Router
from bot.types import Button, rows
from handlers.announcements.actions import LINK, REPORT, TAP, TOOLS
from handlers.announcements.common import my_broadcast, staff, tools
from storage.announcements import (
    Broadcast,
    BroadcastStatus,
    add_tap,
    audience_count,
    broadcast_stats,
    latest_started,
)
from storage.models import Role

router = Router("trainer.report")


def short(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def status_label(t: Translator, b: Broadcast) -> str:
    if b.status == BroadcastStatus.SCHEDULED and b.scheduled_at is not None:
        return t.gettext("scheduled for {when}", when=t.datetime(b.scheduled_at))
    labels = {BroadcastStatus.SENDING: N_("sending"), BroadcastStatus.QUEUED: N_("sending"),
              BroadcastStatus.DONE: N_("sent"), BroadcastStatus.CANCELLED: N_("cancelled"),
              BroadcastStatus.DRAFT: N_("draft")}
    return t.gettext(labels.get(b.status, N_("draft")))


def report_text(t: Translator, b: Broadcast, stats: dict[str, int]) -> str:
    n = t.number
    lines = [
        t.gettext("Announcement #{id}: {status}", id=b.id, status=status_label(t, b)),
        f"“{short(b.text, 60)}”",
        t.gettext("Targeted: {n}", n=n(stats["targeted"])),
        t.gettext("Sent: {n}", n=n(stats["sent"])),
        t.gettext("Delivered: {n}", n=n(stats["delivered"])),
        t.gettext("Read (WhatsApp): {n}", n=n(stats["read"])),
        t.gettext("Failed: {n}", n=n(stats["failed"])),
        t.gettext("Skipped: {opted} opted out, {blocked} blocked the bot, {window} outside WhatsApp's 24-hour window",
                  opted=n(stats["opted_out"]), blocked=n(stats["blocked"]), window=n(stats["outside_window"])),
    ]
    if stats["pending"]:
        lines.append(t.gettext("Still sending: {n}", n=n(stats["pending"])))
    if b.button:
        lines.append(t.gettext("Tapped “I'm interested”: {n}", n=n(stats["taps"])))
    return "\n".join(lines)


@router.on(Command("report"), *staff)
@router.on(REPORT, *staff)
async def report(ctx: Context) -> None:
    pressed = REPORT.arg(ctx)
    wanted = pressed if pressed is not None else ctx.msg.command_args.strip().lstrip("#") or None
    if wanted is not None:
        b = await my_broadcast(ctx, wanted)
    else:
        b = await latest_started(ctx.session, None if ctx.user.role == Role.ADMIN else ctx.user.id)
    if b is None:
        tools(ctx, ctx._("No announcement has been sent yet."))
        return
    stats = await broadcast_stats(ctx.session, b)
    if b.status in (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED):
        stats["targeted"], stats["opted_out"] = await audience_count(ctx.session, b.audience or {}, b.author_id)
    ctx.reply(report_text(ctx.t, b, stats), rows(Button(ctx._("Trainer tools"), TOOLS.encode())),
              title=ctx._("Report"))


# --- everyone: an announcement's button ---------------------------------------------------------------


@router.on(TAP)
async def tap(ctx: Context) -> None:
    b = await ctx.session.get(Broadcast, TAP.arg(ctx))
    if b is None:
        ctx.reply(ctx._("That announcement is no longer available."))
        return
    await add_tap(ctx.session, b.id, ctx.user.id, ctx.now)  # tapped before: counted once
    ctx.reply(ctx._("Thank you! The organisers will know you are interested."))


@router.on(LINK)
async def link(ctx: Context) -> None:
    """The announcement's link button: the address as a message (every channel can open it), tap counted."""
    broadcast_id, index = LINK.args(ctx)
    b = await ctx.session.get(Broadcast, broadcast_id)
    links = (b.links or []) if b is not None else []
    item = links[index] if 0 <= index < len(links) and isinstance(links[index], dict) else None
    if b is None or item is None or not item.get("url"):
        ctx.reply(ctx._("That announcement is no longer available."))
        return
    await add_tap(ctx.session, b.id, ctx.user.id, ctx.now)
    label = str(item.get("label") or "")
    ctx.reply(f"{label}\n{item['url']}" if label else str(item["url"]))
