"""The trainer feature's handlers."""

from __future__ import annotations

from bot.jobs import Job
from bot.router import Router

router = Router("trainer")

JOBS: list[Job] = []
