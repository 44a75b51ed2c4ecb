"""Feature routers, composed in order: the first handler whose filters pass takes the message.

Order matters only where filters overlap: commands and words that always work come first, then
subscription (STOP must work even before onboarding), onboarding (which takes everything until the user
is onboarded), the features, and finally the fallback for anything nobody took.
"""

from __future__ import annotations

from bot.jobs import Job
from bot.router import Router
from handlers import common, fallback, lessons, onboarding

# Periodic jobs of the features (see bot/jobs.py).
JOBS: list[Job] = []


def build_router() -> Router:
    root = Router("root")
    root.include(common.router)
    root.include(onboarding.router)
    root.include(lessons.router)
    root.include(fallback.router)
    return root
