"""Helpers of ``bench/console.py``: whether a kept database can be reused, and the summaries' backfill."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update

from storage.console_learners import refresh_learners
from storage.console_summary import SummaryDay, day_rows, refresh, write_day
from storage.db import Database


async def learners(db: Database) -> int:
    """Learners already in the database (0 when it has no tables yet)."""
    try:
        async with db.read() as session:
            return int(await session.scalar(text("SELECT count(*) FROM users WHERE role = 'learner'")) or 0)
    except Exception:  # no schema yet
        return 0


async def backfill(db: Database) -> tuple[float, int, float, tuple[float, float]]:
    """The summaries as the ``console-summaries`` job builds them on its first run: (seconds for every closed
    day, days, seconds for the learner snapshot, milliseconds to compute one day again and to write it)."""
    now = datetime.now(UTC)
    start = time.perf_counter()
    days = await refresh(db, now)
    took = time.perf_counter() - start
    start = time.perf_counter()
    await refresh_learners(db, now)
    learners = time.perf_counter() - start
    yesterday = (now - timedelta(days=1)).date()
    async with db.transaction() as session:
        await session.execute(update(SummaryDay).where(SummaryDay.day == yesterday.isoformat())
                              .values(summarised=None))
    start = time.perf_counter()
    async with db.read() as session:
        version, rows = await day_rows(session, yesterday)
    computed = time.perf_counter()
    async with db.transaction() as session:
        await write_day(session, yesterday, version, rows)
    one = ((computed - start) * 1000, (time.perf_counter() - computed) * 1000)
    if not db.is_sqlite:  # as autovacuum would have by now (the database was vacuumed before the summaries)
        async with db.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))
    print(f"summaries: {days} days in {took:.1f} s, learners {learners:.1f} s, one day {one[0]:.0f} ms to compute, "
          f"{one[1]:.0f} ms to write", file=sys.stderr)
    return took, days, learners, one
