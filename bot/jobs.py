"""Periodic work (scheduled announcements, reminders, listing expiry, ...), run by the service.

A job is ``async def job(jc: JobContext) -> int`` returning how many things it did; it must be safe to
run again after a crash (all its state is in the database). Tests call ``Scheduler.run_once`` with a
manual clock instead of waiting.

With several workers on one database each job runs once per period, not once per worker: a row per job
(``storage.workers.JobRun``) says when it is next due, and a worker claims the run with a lease it renews
while the job runs (a killed worker's run is taken again once the lease runs out). Jobs that only warm
this process's memory (``each_worker``, e.g. a search index) run in every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.context import Deps
from bot.outbox.share import worker_name
from storage.db import Database
from storage.workers import add_jobs, claim_job, finish_job, next_due, renew_job

log = logging.getLogger(__name__)

JOB_LEASE = timedelta(seconds=60)  # renewed every third of it while the job runs
MAX_POLL = 30.0  # seconds: how often a worker looks whether a long-period job became due


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
    each_worker: bool = False  # warms this process only (an in-memory index): every worker runs it


class Scheduler:
    def __init__(self, jobs: list[Job], context: JobContext, worker: str | None = None) -> None:
        self.jobs = jobs
        self.context = context
        self.worker = worker or worker_name()

    async def run_once(self) -> dict[str, int]:
        """Every job now, unclaimed (tests, with a manual clock)."""
        done: dict[str, int] = {}
        for job in self.jobs:
            done[job.name] = await self._run(job)
        if any(n > 0 for n in done.values()):
            self.context.wake_outbox()
        return done

    async def _run(self, job: Job) -> int:
        try:
            return await job.run(self.context)
        except Exception:
            log.exception("job %s failed", job.name)
            return -1

    async def prepare(self) -> None:
        """The job rows (due now) for jobs the database does not know yet."""
        shared = [job.name for job in self.jobs if not job.each_worker]
        async with self.context.db.transaction() as session:
            await add_jobs(session, shared, self.context.deps.clock.now())

    async def run_due(self, job: Job) -> int | None:
        """Run ``job`` if it is due and no other worker runs it; None if it was not ours to run."""
        if job.each_worker:
            return await self._run(job)
        db, clock = self.context.db, self.context.deps.clock
        async with db.transaction() as session:
            now = clock.now()
            if not await claim_job(session, job.name, self.worker, now, now + JOB_LEASE):
                return None
        renewer = asyncio.create_task(self._renew(job))
        try:
            done = await self._run(job)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            async with db.transaction() as session:
                await finish_job(session, job.name, self.worker, clock.now() + timedelta(seconds=job.every))
        return done

    async def _renew(self, job: Job) -> None:
        while True:
            await asyncio.sleep(JOB_LEASE.total_seconds() / 3)
            try:
                async with self.context.db.transaction() as session:
                    await renew_job(session, job.name, self.worker, self.context.deps.clock.now() + JOB_LEASE)
            except Exception as exc:  # the next round tries again; the lease outlives two misses
                log.warning("renewing the run of job %s failed: %r", job.name, exc)

    async def _pause(self, job: Job) -> float:
        """Seconds until ``job`` may be due again (another worker may have run it meanwhile)."""
        if job.each_worker:
            return job.every
        try:
            async with self.context.db.read() as session:
                due = await next_due(session, job.name)
        except Exception:
            return min(job.every, MAX_POLL)
        wait = (due - self.context.deps.clock.now()).total_seconds() if due is not None else job.every
        return min(max(wait, 0.05), job.every, MAX_POLL)

    async def run(self) -> None:
        await self.prepare()

        async def loop(job: Job) -> None:
            while True:
                try:
                    if (await self.run_due(job) or 0) > 0:
                        self.context.wake_outbox()
                except Exception:  # claiming failed (database away): try again after a pause
                    log.exception("job %s not run", job.name)
                await asyncio.sleep(await self._pause(job))

        await asyncio.gather(*(loop(job) for job in self.jobs))
