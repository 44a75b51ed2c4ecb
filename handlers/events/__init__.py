"""Events: fairs, workshops, training days and online sessions that trainers create and learners sign up for.

- ``actions``: every button (``ev:…`` payloads); ``common``: steps, an event as text, the check-in ticket;
- ``browse``: the menu's "Events", one event (``/event <number>``, an announcement's button), RSVP, the
  waitlist and its promotions, "My events", cancelling;
- ``create``: the trainer's guided conversation (``/newevent``);
- ``checkin``: ``/checkin CODE`` and the door mode, the attendance summary; ``announce``: an announcement
  draft about an event;
- ``jobs``: reminders a day and an hour before; ``pages``: the console's ``/admin/events`` pages.

The queries are in ``storage.events``.
"""

from __future__ import annotations

import handlers.events.pages  # noqa: F401 - the console's /admin/events pages
from bot.i18n import N_
from bot.jobs import Job
from bot.router import Router
from handlers.events import announce, browse, checkin, create, jobs
from handlers.events.actions import LIST
from handlers.menu import add_item

router = Router("events")
for part in (browse, checkin, announce, create):
    router.include(part.router)

add_item(N_("Events"), LIST.encode(), 35, visible=lambda ctx: ctx.user.onboarded)

JOBS: list[Job] = list(jobs.JOBS)
