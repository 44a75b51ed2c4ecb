"""Trainers at the door: ``/checkin CODE`` (any event), or "Check people in" on an event and then codes one
after another (a code of another event is refused there); the attendance summary (``ev:att``). The console's
QR page (``handlers.events.pages``) checks in through :func:`check_code` too, so the answers are the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import N_, Translator
from bot.router import Command, InStep, NoPayload, Router
from bot.types import Button, rows
from handlers.events.actions import ATTENDANCE, CHECKIN, VIEW
from handlers.events.common import EventStep, is_staff, show_code
from handlers.events.create import cancel_row
from handlers.menu import HOME
from storage.events import Event, Rsvp, RsvpStatus, attendees, check_in, clean_code, get_event, lock_rsvp, tally
from storage.models import User

router = Router("events.checkin")

OUTCOMES = {
    "ok": N_("Checked in: {name}, {title}."),
    "unknown": N_("No place has the code {code}. Check the letters and try again."),
    "reused": N_("Code {code} was already used: {name} checked in at {when}."),
    "wrong_event": N_("Code {code} is for another event: {title}."),
    "not_going": N_("Code {code} ({name}) has no place at {title}: it was cancelled or is on the waiting list."),
    "over": N_("{title} is over: check-in is closed."),
}


@dataclass(frozen=True)
class Outcome:
    result: str  # a key of OUTCOMES
    code: str
    rsvp: Rsvp | None = None
    event: Event | None = None
    person: User | None = None

    def text(self, t: Translator) -> str:
        when = t.datetime(self.rsvp.checked_in_at) if self.rsvp and self.rsvp.checked_in_at else ""
        name = (self.person.name or f"#{self.person.id}") if self.person else ""
        return t.gettext(OUTCOMES[self.result], code=show_code(self.code), name=name,
                         title=self.event.title if self.event else "", when=when)


async def check_code(session: AsyncSession, typed: str, trainer_id: int, now: datetime,
                     event_id: int | None = None, *, apply: bool = True) -> Outcome:
    """Check in the holder of ``typed`` (at ``event_id``'s door when given); with ``apply=False`` only say
    what would happen (the console's confirmation page)."""
    code = clean_code(typed)
    rsvp = await lock_rsvp(session, code) if code else None
    if rsvp is None:
        return Outcome("unknown", code or typed.strip()[:20])
    event = await get_event(session, rsvp.event_id)
    person = await session.get(User, rsvp.user_id)
    if event_id is not None and rsvp.event_id != event_id:
        return Outcome("wrong_event", code, rsvp, event, person)
    if rsvp.status != RsvpStatus.GOING:
        return Outcome("not_going", code, rsvp, event, person)
    if rsvp.checked_in_at is not None:
        return Outcome("reused", code, rsvp, event, person)
    if event is not None and now >= event.ends_at:
        return Outcome("over", code, rsvp, event, person)
    if apply:
        check_in(rsvp, trainer_id, now)
    return Outcome("ok", code, rsvp, event, person)


@router.on(Command("checkin"), is_staff)
async def checkin_command(ctx: Context) -> None:
    parts = ctx.msg.text.split(maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        ctx.goto(EventStep.CHECKIN)
        ctx.reply(ctx._("Type the check-in code (like ACD-EFG)."), rows(*cancel_row(ctx)))
        return
    outcome = await check_code(ctx.session, parts[1][:40], ctx.user.id, ctx.now)
    ctx.reply(outcome.text(ctx.t))


def door_buttons(ctx: Context, event_id: int) -> tuple[tuple[Button, ...], ...]:
    return rows(Button(ctx._("Attendance"), ATTENDANCE.encode(event_id)), Button(ctx._("Done"), VIEW.encode(event_id)),
                width=2)


@router.on(CHECKIN, is_staff)
async def door(ctx: Context) -> None:
    event = await get_event(ctx.session, CHECKIN.arg(ctx))
    if event is None:
        ctx.reply(ctx._("That event is no longer there."))
        return
    ctx.goto(EventStep.CHECKIN, event=event.id)
    ctx.reply(ctx._("Check-in for {title}: type each code as people arrive (like ACD-EFG).", title=event.title),
              door_buttons(ctx, event.id))


@router.on(InStep(EventStep.CHECKIN), NoPayload, is_staff)
async def typed_code(ctx: Context) -> None:
    event_id = ctx.data.get("event")
    if not ctx.msg.text.strip() or ctx.msg.media or len(ctx.msg.text) > 40:
        ctx.reply(ctx._("Type the check-in code (like ACD-EFG)."))
        return
    outcome = await check_code(ctx.session, ctx.msg.text, ctx.user.id, ctx.now,
                               int(event_id) if isinstance(event_id, int) else None)
    ctx.reply(outcome.text(ctx.t) + "\n" + ctx._("Next code?"),
              door_buttons(ctx, event_id) if isinstance(event_id, int) else rows(Button(ctx._("Done"), HOME.encode())))


def summary(t: Translator, event: Event, counts: dict[str, int], capacity: int) -> str:
    return "\n".join((
        t.gettext("Attendance: {title}", title=event.title),
        t.gettext("Places taken: {taken} of {capacity}", taken=t.number(counts["rsvped"]), capacity=t.number(capacity)),
        t.gettext("Waiting list: {n}", n=t.number(counts["waiting"])),
        t.gettext("Checked in: {n}", n=t.number(counts["checked_in"])),
        t.gettext("No-shows: {n}", n=t.number(counts["no_show"])),
        t.gettext("Cancelled: {n}", n=t.number(counts["cancelled"])),
    ))


@router.on(ATTENDANCE, is_staff)
async def attendance(ctx: Context) -> None:
    event = await get_event(ctx.session, ATTENDANCE.arg(ctx))
    if event is None:
        ctx.reply(ctx._("That event is no longer there."))
        return
    counts = tally(await attendees(ctx.session, event.id), event, ctx.now)
    ctx.reply(summary(ctx.t, event, counts, event.capacity) + "\n\n" +
              ctx._("The list of names: /admin/events/{number} in the console (CSV there).", number=event.id),
              rows(Button(ctx._("Check people in"), CHECKIN.encode(event.id)),
                   Button(ctx._("Back"), VIEW.encode(event.id)), width=2))
