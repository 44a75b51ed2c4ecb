"""The reminders job: a day and an hour before an event, everyone with a place gets a reminder in their own
language with the start in their own time zone. Each is marked sent in the transaction that writes its outbox
row (and the rows are locked on PostgreSQL, skipping rows another worker holds), so none goes twice.
Outside WhatsApp's 24-hour window a reminder goes as the approved template for ``event`` messages, or waits,
as the outbox does for every message kind."""

from __future__ import annotations

from bot.i18n import translator
from bot.jobs import Job, JobContext
from bot.outbox import enqueue
from bot.types import Button, Reply, rows
from handlers.announcements.schedule import user_zone
from handlers.events.actions import CANCEL, TICKET
from handlers.events.common import event_text, show_code
from storage.events import Event, Rsvp, due_reminders
from storage.reminders import users_by_id
from storage.users import preferred_address

BATCH = 500


def reminder(rsvp: Rsvp, event: Event, which: str, language: str | None, zone: str) -> Reply:
    t = translator(language, zone)
    lead = (t.gettext("Reminder: {title} starts in an hour.", title=event.title) if which == "hour"
            else t.gettext("Reminder: {title} is tomorrow.", title=event.title))
    text = "\n".join((lead, "", event_text(t, event), "",
                      t.gettext("Your check-in code: {code}. Show it (or the QR code) at the door.",
                                code=show_code(rsvp.code))))
    return Reply(text, rows(Button(t.gettext("My check-in code"), TICKET.encode(event.id)),
                            Button(t.gettext("Cancel my place"), CANCEL.encode(event.id)), width=2),
                 title=t.gettext("Event reminder"), kind="event",
                 template_vars={"1": f"{event.title} {t.datetime(event.starts_at)}"})


async def send_event_reminders(jc: JobContext) -> int:
    now = jc.deps.clock.now()
    sent = 0
    while True:
        async with jc.db.transaction() as session:
            due = await due_reminders(session, now, BATCH)
            if not due:
                return sent
            users = await users_by_id(session, [r.user_id for r, _, _ in due])
            for rsvp, event, which in due:
                rsvp.reminded_day_at = rsvp.reminded_day_at or now  # an hour reminder makes the day one moot
                if which == "hour":
                    rsvp.reminded_hour_at = now
                user = users.get(rsvp.user_id)
                address = preferred_address(user) if user is not None else None
                if user is None or address is None:
                    continue
                zone = str(user_zone(user, jc.deps.settings.default_timezone))
                enqueue(session, user.id, address.channel, address.address,
                        reminder(rsvp, event, which, user.language, zone), now=now)
                sent += 1


JOBS: list[Job] = [Job("event_reminders", 60.0, send_event_reminders)]
