"""The market feature's handlers."""

from __future__ import annotations

from bot.jobs import Job
from bot.router import Router

router = Router("market")

JOBS: list[Job] = []
