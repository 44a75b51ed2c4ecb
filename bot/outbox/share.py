"""Several workers on one PostgreSQL database share each platform's rate: every worker beats a heartbeat
row every ``HEARTBEAT`` seconds and paces each channel at rate ÷ live workers, so together they stay
under the platform's limit (not N times over) with no database round trip per message.

A worker that starts while others run waits one heartbeat before it sends (the others learn of it and
slow down first); a killed worker's share comes back to the others once it has been silent ``SILENT_BEATS``
heartbeats (meanwhile they send a little under the rate, never over it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.workers import beat, leave, live_workers, prune_workers

log = logging.getLogger(__name__)

HEARTBEAT = 2.0  # seconds between beats
SILENT_BEATS = 3  # a worker silent for this many beats is taken for dead


def worker_name() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{secrets.token_hex(3)}"


class Workers:
    """This worker's heartbeat, and how many live workers share the channels (``on_change(count)``)."""

    def __init__(self, db: Database, on_change: Callable[[int], None], name: str | None = None,
                 heartbeat: float = HEARTBEAT) -> None:
        self.db = db
        self.on_change = on_change
        self.name = name or worker_name()
        self.heartbeat = heartbeat
        self.count = 1

    async def _beat(self) -> int:
        now = datetime.now(UTC)  # liveness is wall time, whatever clock the outbox is given (tests)
        async with self.db.transaction(urgent=True) as session:
            await beat(session, self.name, now)
            silent = now - timedelta(seconds=SILENT_BEATS * self.heartbeat)
            await prune_workers(session, silent)
            return max(1, await live_workers(session, silent))

    async def join(self) -> int:
        """Beat once; if others are alive, wait a beat so they take their smaller share before we send."""
        self.count = await self._beat()
        self.on_change(self.count)
        if self.count > 1:
            log.info("%d workers share the channels' rates", self.count)
            await asyncio.sleep(self.heartbeat * 1.25)
        return self.count

    async def run(self) -> None:
        """Beat until cancelled; tell ``on_change`` when the number of live workers changes."""
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                count = await self._beat()
            except Exception as exc:  # the database is away: keep the last share (the rows wait too)
                log.warning("worker heartbeat failed: %r", exc)
                continue
            if count != self.count:
                log.info("%d workers share the channels' rates (were %d)", count, self.count)
                self.count = count
                self.on_change(count)

    async def leave(self) -> None:
        """Stopping: drop our row, so the others take our share at their next beat."""
        try:
            async with self.db.transaction(urgent=True) as session:
                await leave(session, self.name)
        except Exception as exc:
            log.warning("leaving the workers table failed: %r", exc)
