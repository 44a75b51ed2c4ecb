"""The course list's medians (``storage.console_courses.median_completions``): given each course's
completions, the middle ones read from the index on (course, duration) are the medians of the durations
themselves, for every filter, with staff and other countries' learners among the rows the walk skips; the
learners' list of a country or channel is made once for the request (a temporary table on SQLite) without
waiting for a writer; and on SQLite the walk really reads that index."""

from __future__ import annotations

import asyncio
import itertools
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

import storage.all_models  # noqa: F401
from storage.console_courses import course_totals, median_completions
from storage.console_filters import Filters
from storage.console_summary import refresh
from storage.db import Database
from storage.models import Address, LessonProgress, Role, User

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FILTERS = [Filters(days, country, channel) for days, country, channel in itertools.product(
    (None, 30), (None, "LA", "KH"), (None, "telegram", "whatsapp"))]


async def fill(db: Database) -> list[dict[str, Any]]:
    """30 people (one a trainer) with completions of distinct durations in two courses; the rows as dicts."""
    rows: list[dict[str, Any]] = []
    async with db.transaction() as session:
        for i in range(30):
            role = Role.TRAINER if i == 3 else Role.LEARNER
            country = ("LA", "KH", "VN")[i % 3]
            user = User(name=f"P{i}", language="en", country=country, role=role, step_data={},
                        created_at=NOW - timedelta(days=200))
            session.add(user)
            await session.flush()
            channels = ["telegram", "whatsapp"] if i % 5 == 0 else ["telegram" if i % 2 else "whatsapp"]
            for channel in channels:
                session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{i}"))
            for c, course in enumerate(("weave", "dye")):
                started = NOW - timedelta(days=(i * 11 + c * 3) % 90 + 1)
                done = (i + c) % 4 != 0
                hours = (i * 37 + c * 13) % 200 + 1  # distinct enough that an off-by-one shows
                completed = started + timedelta(hours=hours) if done else None
                session.add(LessonProgress(user_id=user.id, course_id=course, lessons_done=3, next_lesson=3,
                                           started_at=started, updated_at=started, completed_at=completed))
                rows.append({"role": role, "country": country, "channels": channels, "course": course,
                             "started": started, "seconds": hours * 3600.0 if done else None})
    return rows


def durations(rows: list[dict[str, Any]], f: Filters) -> dict[str, list[float]]:
    """Per course, the durations of the completions of ``f``'s cohort, from the rows themselves."""
    since = f.since(NOW)
    kept: dict[str, list[float]] = {}
    for r in rows:
        if r["seconds"] is None or r["role"] != Role.LEARNER or (since is not None and r["started"] < since):
            continue
        if (f.country and r["country"] != f.country) or (f.channel and f.channel not in r["channels"]):
            continue
        kept.setdefault(r["course"], []).append(r["seconds"])
    return kept


def expected(rows: list[dict[str, Any]], f: Filters) -> dict[str, float]:
    return {course: statistics.median(values) for course, values in durations(rows, f).items()}


async def test_medians_are_the_middle_durations(db: Database) -> None:
    rows = await fill(db)
    await refresh(db, NOW)
    async with db.read() as session:  # one session: the learners' list is made again when the filter changes
        for f in FILTERS:
            counts = {c: n.completed for c, n in (await course_totals(session, f, NOW)).items()}
            want = expected(rows, f)
            assert {c: n for c, n in counts.items() if n} == {c: len(v) for c, v in durations(rows, f).items()}, f
            assert await median_completions(session, f, NOW, completed=counts) == pytest.approx(want), f
            assert await median_completions(session, f, NOW) == pytest.approx(want), f
            one = await median_completions(session, f, NOW, "dye", completed=counts)
            assert one == pytest.approx({k: v for k, v in want.items() if k == "dye"}), f
        assert any(len(expected(rows, f)) == 2 for f in FILTERS)


async def test_the_list_of_learners_does_not_wait_for_a_writer(db: Database) -> None:
    rows = await fill(db)
    await refresh(db, NOW)
    f = Filters(None, "LA", "telegram")
    async with db.transaction() as writer:  # a write transaction open on the database file meanwhile
        writer.add(User(name="New", language="en", country="LA", role=Role.LEARNER, step_data={}))
        await writer.flush()
        async with db.read() as session:
            counts = {c: n.completed for c, n in (await course_totals(session, f, NOW)).items()}
            found = await asyncio.wait_for(median_completions(session, f, NOW, completed=counts), timeout=5)
    assert found == pytest.approx(expected(rows, f))


async def test_the_list_is_made_again_after_a_rollback(db: Database) -> None:
    rows = await fill(db)
    await refresh(db, NOW)
    f = Filters(None, "KH")
    async with db.read() as session:
        counts = {c: n.completed for c, n in (await course_totals(session, f, NOW)).items()}
        assert await median_completions(session, f, NOW, completed=counts) == pytest.approx(expected(rows, f))
        await session.rollback()  # on SQLite this empties the temporary list
        assert await median_completions(session, f, NOW, completed=counts) == pytest.approx(expected(rows, f))


async def test_sqlite_walks_the_index_of_durations(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the query plan checked is SQLite's")
    db = Database(database_url)
    await db.upgrade()
    await fill(db)
    await refresh(db, NOW)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.read() as session:
            f = Filters(None, "LA")
            counts = {c: n.completed for c, n in (await course_totals(session, f, NOW)).items()}
            statements.clear()
            await median_completions(session, f, NOW, completed=counts)
            statement, parameters = next((s, p) for s, p in statements if "UNION ALL" in s)
            connection = await session.connection()
            plan = " ".join(str(r) for r in (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                              tuple(parameters))).all())
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
        await db.close()
    assert plan.count("ix_lesson_progress_duration") == 2, plan  # each course's arm
    assert "TEMP B-TREE" not in plan, plan  # no sort: the index's order
    assert "ROWID SEARCH ON TABLE console_learners" in plan, plan  # the list made once, probed by its key
