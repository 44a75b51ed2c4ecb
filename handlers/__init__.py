"""Feature routers, composed in order: the first handler whose filters pass takes the message.

Order matters only where filters overlap: commands and words that always work come first, then
subscription (STOP must work even before onboarding), onboarding (which takes everything until the user
is onboarded), the features, FAQ (free text when no flow waits for it), and last the fallback.
"""

from __future__ import annotations

from bot.jobs import Job
from bot.router import Router
from handlers import announcements, common, fallback, faq, lessons, market, onboarding, reminders, subscription

FEATURES = (common, subscription, onboarding, lessons, announcements, reminders, market, faq, fallback)

# Periodic jobs of the features (see bot/jobs.py).
JOBS: list[Job] = [job for module in FEATURES for job in getattr(module, "JOBS", [])]


def build_router() -> Router:
    root = Router("root")
    for module in FEATURES:
        root.include(module.router)
    return root
