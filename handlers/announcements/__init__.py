"""Trainer tools: roles and invite codes, composing announcements with an audience, scheduling and
delivery, reports.

- ``roles``: ``smce-bot admin grant|invite`` (``add_commands``), ``/trainer CODE``, and the polite refusal
  (logged) for anyone without the role. Its ``router`` is a feature of its own in ``handlers.FEATURES``,
  tried before onboarding (a new trainer's first message is often ``/trainer CODE``); this package's
  router has the rest, with the refusals last.
- ``compose``: ``/announce`` (or "Trainer tools"): text and optionally one photo, the "I'm interested"
  button, the preview.
- ``audiences``: the audience (language, country, province, craft, course state; filters combine) and
  the count it will reach.
- ``schedule``: send now or at a date and time in the trainer's time zone, ``/scheduled`` (cancel there),
  and the ``broadcasts`` job that expands a due announcement into outbox rows in batches.
- ``report``: ``/report`` and the summary the author gets; the taps on an announcement's button.

Shared: ``actions`` (the button payloads), ``common`` (staff, steps, the tools menu). Queries live in
``storage.announcements`` and ``storage.roles``.
"""

import handlers.announcements.people  # noqa: F401 - the console's /admin/people pages
from bot.router import Router
from handlers.announcements import audiences, compose, report, roles, schedule
from handlers.announcements import pages as pages  # the console's /admin/announcements (routes register)
from handlers.announcements.roles import add_commands
from handlers.announcements.schedule import JOBS

# The sub-routers in this order keep the routes' order: the trainer routes, then the refusals for anyone
# else (which match every "trainer:" payload and trainer step, so they must come last). ``roles.router``
# is not here: handlers.FEATURES places it before onboarding.
router = Router("trainer")
for sub in (compose.router, audiences.router, schedule.router, report.router, roles.refusals):
    router.include(sub)

__all__ = ["JOBS", "add_commands", "router"]
