"""The dashboard's counts for a channel or course filter in one query (``storage.console_listed``): learners
active in 7 and 30 days, new in the period and per week, as the live queries count them, with and without
staff in the course's and channel's lists (the staff test is left out only when there is none)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

import storage.all_models  # noqa: F401
from storage import console
from storage.console import Filters
from storage.console_filters import listed_staff
from storage.console_learners import refresh_learners
from storage.db import Database
from storage.models import Address, LessonProgress, Role, User

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FILTERS = [Filters(days, country, channel, course) for days, country, channel, course in itertools.product(
    (7, 30, 90, None), (None, "LA"), (None, "telegram"), (None, "c1")) if channel or course]


async def fill(db: Database) -> None:
    async with db.transaction() as session:
        for i in range(60):
            role = Role.TRAINER if i in (0, 1) else Role.LEARNER
            joined = NOW - timedelta(days=i * 37 % 120, hours=i % 13) + timedelta(days=1 if i == 5 else 0)
            user = User(name=f"P{i}", language="en", country=("LA", "KH", None)[i % 3], role=role, step_data={},
                        created_at=joined)
            session.add(user)
            await session.flush()
            for n, channel in enumerate(["whatsapp", "telegram"] if i % 4 == 0 else ["telegram"] * (1 + i % 2)):
                seen = NOW - timedelta(days=(i * 11 + n * 5) % 40, hours=n) if i % 7 else None
                session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{i}-{n}",
                                    last_inbound_at=seen))
            for c in range(i % 3 + 1):
                session.add(LessonProgress(user_id=user.id, course_id=f"c{c}", lessons_done=0, next_lesson=0,
                                           started_at=joined, updated_at=joined))


async def reference(db: Database, f: Filters) -> tuple[dict[str, int], list[tuple[datetime, int]]]:
    """Active and new learners, and new per week, counted live from the users' rows."""
    since, starts = f.since(NOW), console.week_starts(NOW, 8)
    conditions = console.learner_conditions(f)
    async with db.read() as session:
        def active(days: int) -> object:
            return User.id.in_(select(Address.user_id).where(Address.last_inbound_at >= NOW - timedelta(days=days)))
        row = (await session.execute(select(
            func.count().filter(active(7)), func.count().filter(active(30)),
            func.count().filter(User.created_at >= since) if since else func.count()).where(*conditions))).one()
        weekly = [(start, int(await session.scalar(select(func.count()).where(
            *conditions, User.created_at >= start, User.created_at < start + timedelta(weeks=1))) or 0))
            for start in starts]
    return {"active_7": row[0], "active_30": row[1], "new": row[2]}, weekly


async def check(db: Database, staff: bool) -> None:
    assert await refresh_learners(db, NOW)  # the snapshot current: the counts of the lists' learners run
    seen = 0
    for f in FILTERS:
        async with db.read() as session:
            assert await listed_staff(session, Filters(None, None, f.channel, f.course)) is staff, f
            counts = await console.learner_counts(session, f, NOW)
            weekly = await console.new_per_week(session, f, NOW)
            assert ("console.listed", f, NOW, 8) in session.info  # counted by the one query
        wanted, wanted_weekly = await reference(db, f)
        assert {k: counts[k] for k in wanted} == wanted, f
        assert weekly == wanted_weekly, f
        seen += bool(sum(n for _, n in weekly) and counts["active_7"] and counts["new"] < counts["total"])
    assert seen >= len(FILTERS) // 3  # the fixture has such learners


async def test_listed_counts_equal_the_live_counts(db: Database) -> None:
    await fill(db)
    await check(db, staff=True)  # the trainers have progress rows and addresses on both channels
    async with db.transaction() as session:
        staff = select(User.id).where(User.role != Role.LEARNER).scalar_subquery()
        await session.execute(delete(LessonProgress).where(LessonProgress.user_id.in_(staff)))
        await session.execute(delete(Address).where(Address.user_id.in_(staff)))
    await check(db, staff=False)
