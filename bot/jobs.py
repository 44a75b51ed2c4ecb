"""Periodic work (scheduled announcements, reminders, listing expiry, ...), run by the service.

A job is ``async def job(jc: JobContext) -> int`` returning how many things it did; it must be safe to
run again after a crash (all its state is in the database). Tests call ``Scheduler.run_once`` with a
manual clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.context import Deps
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    db: Database
    deps: Deps
    wake_outbox: Callable[[], None]


JobFn = Callable[[JobContext], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds between runs
    run: JobFn


class Scheduler:
    def __init__(self, jobs: list[Job], context: JobContext) -> None:
        self.jobs = jobs
        self.context = context

    async def run_once(self) -> dict[str, int]:
        done: dict[str, int] = {}
        for job in self.jobs:
            try:
                done[job.name] = await job.run(self.context)
            except Exception:
                log.exception("job %s failed", job.name)
                done[job.name] = -1
        if any(n > 0 for n in done.values()):
            self.context.wake_outbox()
        return done

    async def run(self) -> None:
        async def loop(job: Job) -> None:
            while True:
                try:
                    if await job.run(self.context) > 0:
                        self.context.wake_outbox()
                except Exception:
                    log.exception("job %s failed", job.name)
                await asyncio.sleep(job.every)

        await asyncio.gather(*(loop(job) for job in self.jobs))
