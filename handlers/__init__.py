"""The features, in one list: the core discovers every router and every periodic job from ``FEATURES``.

Each entry is a feature module or package exposing ``router`` (a ``bot.router.Router``) and, when it has
periodic work, ``JOBS`` (a list of ``bot.jobs.Job``). ``bot.service`` calls ``build_router()`` and reads
``JOBS`` from here and nowhere else; features that add ``smce-bot`` commands are listed in
``bot.cli.FEATURE_COMMANDS``. To add a feature: create ``handlers/<feature>/`` with its ``router`` (and
``JOBS``), put its queries in ``storage/<feature>.py``, and add it to ``FEATURES`` below.

Routers are composed in order: the first handler whose filters pass takes the message. Order matters
only where filters overlap: commands and words that always work come first, then subscription (STOP must
work even before onboarding), the trainer roles (``/trainer CODE`` is often a new trainer's first
message: it is redeemed before onboarding starts, see ``handlers.announcements.roles``), onboarding (which
takes everything else until the user is onboarded), the features, FAQ (free text when no flow waits for
it), and last the fallback.
"""

from __future__ import annotations

from types import ModuleType

from bot.jobs import Job
from bot.router import Router
from handlers import (
    announcements,
    certificates,
    common,
    console,
    data_saver,
    directory,
    events,
    fallback,
    faq,
    lessons,
    market,
    onboarding,
    polls,
    privacy,
    profile,
    reminders,
    review,
    subscription,
)
from handlers.announcements import roles

FEATURES: tuple[ModuleType, ...] = (
    common, privacy, subscription, roles, console, onboarding, profile, data_saver, lessons, certificates, review,
    announcements, reminders, market, directory, events, polls, faq, fallback,
)

# Periodic jobs of the features (see bot/jobs.py).
JOBS: list[Job] = [job for module in FEATURES for job in getattr(module, "JOBS", [])]


def build_router() -> Router:
    root = Router("root")
    for module in FEATURES:
        root.include(module.router)
    return root
