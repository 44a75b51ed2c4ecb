"""Learners: upcoming events (the menu's "Events", ``/events``), one event (also ``/event <number>`` and an
announcement's button), RSVP, the waitlist, "My events", cancelling (which promotes the first in line and
tells them)."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import translator
from bot.router import Command, Onboarded, Router
from bot.types import Button, rows
from handlers.events.actions import ANNOUNCE, ATTENDANCE, CANCEL, CHECKIN, LIST, MINE, NEW, RSVP, TICKET, VIEW
from handlers.events.common import back_buttons, event_text, is_staff, rsvp_state, show_code, started, ticket_reply
from handlers.menu import HOME
from storage.events import (
    Event,
    EventStatus,
    Rsvp,
    RsvpStatus,
    cancel,
    get_event,
    my_rsvps,
    rsvp_of,
    seats_taken,
    sign_up,
    upcoming_events,
    waitlist,
)
from storage.models import User

router = Router("events.browse")
SHOWN = 8  # events listed at once


@router.on(Command("events"), Onboarded)
@router.on(LIST, Onboarded)
async def list_events(ctx: Context) -> None:
    ctx.goto(None)
    events = await upcoming_events(ctx.session, ctx.now, SHOWN)
    buttons = [Button(f"{e.title[:40]} · {ctx.t.datetime(e.starts_at)}", VIEW.encode(e.id)) for e in events]
    buttons.append(Button(ctx._("My events"), MINE.encode()))
    if is_staff(ctx):
        buttons.append(Button(ctx._("New event"), NEW.encode()))
    buttons.append(Button(ctx._("Main menu"), HOME.encode()))
    text = (ctx._("Upcoming events. Choose one to see it and sign up.") if events
            else ctx._("No events are planned yet."))
    ctx.reply(text, rows(*buttons), title=ctx._("Events"))


async def open_event(ctx: Context, event_id: object) -> Event | None:
    try:
        event = await get_event(ctx.session, int(str(event_id)))
    except ValueError:
        event = None
    if event is None or (event.status != EventStatus.OPEN and not is_staff(ctx)):
        ctx.reply(ctx._("That event is no longer there."), rows(*back_buttons(ctx.t)))
        return None
    return event


async def show_event(ctx: Context, event: Event) -> None:
    rsvp = await rsvp_of(ctx.session, event.id, ctx.user.id)
    left = event.capacity - await seats_taken(ctx.session, event.id)
    text = event_text(ctx.t, event, max(left, 0))
    if state := rsvp_state(ctx.t, rsvp):
        text += "\n\n" + state
    buttons: list[Button] = []
    over = ctx.now >= event.ends_at
    if event.status == EventStatus.CANCELLED:
        text += "\n\n" + ctx._("This event was cancelled.")
    elif over:
        text += "\n\n" + ctx._("This event is over.")
    elif rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        label = ctx._("I'll come") if left > 0 else ctx._("Join the waiting list")
        buttons.append(Button(label, RSVP.encode(event.id)))
    else:
        if rsvp.status == RsvpStatus.GOING:
            buttons.append(Button(ctx._("My check-in code"), TICKET.encode(event.id)))
        buttons.append(Button(ctx._("Cancel my place") if rsvp.status == RsvpStatus.GOING
                              else ctx._("Leave the waiting list"), CANCEL.encode(event.id)))
    if is_staff(ctx):
        buttons += [Button(ctx._("Attendance"), ATTENDANCE.encode(event.id)),
                    Button(ctx._("Check people in"), CHECKIN.encode(event.id))]
        if not over and event.status == EventStatus.OPEN:
            buttons.append(Button(ctx._("Announce it"), ANNOUNCE.encode(event.id)))
    ctx.reply(text, rows(*buttons, *back_buttons(ctx.t), width=2), title=ctx._("Event"))


@router.on(Command("event"), Onboarded)
async def event_command(ctx: Context) -> None:
    raw = ctx.msg.text.split(maxsplit=1)[1].strip() if len(ctx.msg.text.split(maxsplit=1)) > 1 else ""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        await list_events(ctx)
        return
    if (event := await open_event(ctx, raw)) is not None:
        await show_event(ctx, event)


@router.on(VIEW, Onboarded)
async def view(ctx: Context) -> None:
    ctx.goto(None)
    if (event := await open_event(ctx, VIEW.arg(ctx))) is not None:
        await show_event(ctx, event)


@router.on(RSVP, Onboarded)
async def rsvp(ctx: Context) -> None:
    ctx.goto(None)
    found = await open_event(ctx, RSVP.arg(ctx))
    if found is None:
        return
    event = await get_event(ctx.session, found.id, lock=True)
    assert event is not None
    if event.status != EventStatus.OPEN or started(event, ctx.now):
        ctx.reply(ctx._("Sign-up for this event is closed."), rows(*back_buttons(ctx.t)))
        return
    mine, changed = await sign_up(ctx.session, event, ctx.user.id, ctx.now)
    if mine.status == RsvpStatus.GOING:
        lead = ctx._("You're in! See you there.") if changed else ctx._("You already have a place.")
        reply = ticket_reply(ctx.t, event, mine, ctx.deps.extras.get("media"), ctx.deps.settings, lead)
        ctx.reply(reply.text, reply.buttons, photo=reply.photo, title=reply.title)
        return
    line = await waitlist(ctx.session, event.id)
    place = next((i + 1 for i, r in enumerate(line) if r.id == mine.id), len(line))
    ctx.reply(ctx._("The event is full. You are number {place} on the waiting list: if a place opens up, "
                    "it is yours and I will tell you.", place=ctx.t.number(place)),
              rows(Button(ctx._("Leave the waiting list"), CANCEL.encode(event.id)),
                   Button(ctx._("My events"), MINE.encode()), width=2))


@router.on(TICKET, Onboarded)
async def ticket(ctx: Context) -> None:
    event = await open_event(ctx, TICKET.arg(ctx))
    if event is None:
        return
    mine = await rsvp_of(ctx.session, event.id, ctx.user.id)
    if mine is None or mine.status != RsvpStatus.GOING:
        await show_event(ctx, event)
        return
    reply = ticket_reply(ctx.t, event, mine, ctx.deps.extras.get("media"), ctx.deps.settings,
                         ctx._("Your place at this event."))
    ctx.reply(reply.text, reply.buttons, photo=reply.photo, title=reply.title)


async def tell_promoted(ctx: Context, event: Event, promoted: list[Rsvp]) -> None:
    """Tell each person who got a seat from the waitlist, in their language, with their ticket."""
    for moved in promoted:
        person = await ctx.session.get(User, moved.user_id)
        if person is None:
            continue
        t = translator(person.language, person.timezone)
        ctx.send(person, ticket_reply(t, event, moved, ctx.deps.extras.get("media"), ctx.deps.settings,
                                      t.gettext("Good news: a place opened up and it is yours!"), kind="event"))


@router.on(CANCEL, Onboarded)
async def cancel_place(ctx: Context) -> None:
    ctx.goto(None)
    event_id, *sure = CANCEL.args(ctx)
    found = await open_event(ctx, event_id)
    if found is None:
        return
    mine = await rsvp_of(ctx.session, found.id, ctx.user.id)
    if mine is None or mine.status == RsvpStatus.CANCELLED:
        ctx.reply(ctx._("You have no place at this event."), rows(*back_buttons(ctx.t)))
        return
    if sure != ["yes"]:
        ctx.reply(ctx._("Cancel your place at {title}?", title=found.title),
                  rows(Button(ctx._("Yes, cancel"), CANCEL.encode(found.id, "yes")),
                       Button(ctx._("No, keep it"), VIEW.encode(found.id)), width=2))
        return
    event = await get_event(ctx.session, found.id, lock=True)
    assert event is not None
    mine = await rsvp_of(ctx.session, event.id, ctx.user.id)
    assert mine is not None
    promoted = await cancel(ctx.session, event, mine, ctx.now)
    await tell_promoted(ctx, event, promoted)
    ctx.reply(ctx._("Done: your place at {title} is cancelled.", title=event.title),
              rows(Button(ctx._("My events"), MINE.encode()), *back_buttons(ctx.t), width=2))


@router.on(Command("myevents"), Onboarded)
@router.on(MINE, Onboarded)
async def mine(ctx: Context) -> None:
    ctx.goto(None)
    found = await my_rsvps(ctx.session, ctx.user.id, ctx.now)
    if not found:
        ctx.reply(ctx._("You have not signed up for any upcoming event."), rows(*back_buttons(ctx.t)))
        return
    lines, buttons = [], []
    for r, e in found:
        state = (ctx._("code {code}", code=show_code(r.code)) if r.status == RsvpStatus.GOING
                 else ctx._("waiting list"))
        lines.append(f"• {e.title} · {ctx.t.datetime(e.starts_at)} · {state}")
        buttons.append(Button(e.title[:40], VIEW.encode(e.id)))
    ctx.reply("\n".join(lines), rows(*buttons, *back_buttons(ctx.t)), title=ctx._("My events"))
