"""Announcing an event with the announcements' own machinery: "Announce it" on an event makes an announcement
draft (its text: the event, and how to open it with ``/event <number>``; its button: ``{"kind": "event"}`` in
``Broadcast.links``, pressed as ``ev:v:<id>``) and opens the draft's audience screen, from where the trainer
previews, sends or schedules it as any announcement (WhatsApp's 24-hour window included)."""

from __future__ import annotations

from bot.context import Context
from bot.router import Router
from handlers.announcements.audiences import audience_screen
from handlers.events.actions import ANNOUNCE
from handlers.events.common import event_text, is_staff
from storage.announcements import Broadcast, BroadcastStatus
from storage.events import EventStatus, get_event

router = Router("events.announce")


def announcement_text(ctx: Context, event_text_: str, event_id: int) -> str:
    return event_text_ + "\n\n" + ctx._("To see it and sign up, send /event {number}", number=event_id)


@router.on(ANNOUNCE, is_staff)
async def announce(ctx: Context) -> None:
    event = await get_event(ctx.session, ANNOUNCE.arg(ctx))
    if event is None or event.status != EventStatus.OPEN or ctx.now >= event.starts_at:
        ctx.reply(ctx._("Only an upcoming event can be announced."))
        return
    draft = Broadcast(author_id=ctx.user.id, text=announcement_text(ctx, event_text(ctx.t, event), event.id),
                      audience={}, status=BroadcastStatus.DRAFT, created_at=ctx.now, button=False, cursor=0,
                      targeted=0, links=[{"kind": "event", "event": event.id}])
    ctx.session.add(draft)
    await ctx.session.flush()
    ctx.goto(None)
    await audience_screen(ctx, draft, ctx._("An announcement of {title} is ready. Choose who gets it.",
                                             title=event.title))
