"""The dashboard's kept counts of rows (``storage.console_listed_summary``, part ``LISTED`` of the learner
snapshot) give exactly what the tables give: after the refresh, after learners start the course today (counted
beside the kept days), after rows of today, and after changes to rows of closed days (the triggers set the
part aside, the counts come from the tables until the next refresh)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

import storage.all_models  # noqa: F401
from storage import console_listed, console_listed_summary
from storage.console import Filters
from storage.console_learners import LearnerSnapshot, refresh_learners
from storage.console_listed_summary import LISTED, ListedGroup
from storage.db import Database
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, Role, User

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FILTERS = [Filters(days, country, channel, course) for days, country, channel, course in itertools.product(
    (7, 30, 90, None), (None, "LA"), (None, "telegram"), (None, "c1")) if channel or course]
KEPT = [f for f in FILTERS if not (f.country and f.channel and f.course)]  # the groups hold any two


async def fill(db: Database) -> list[int]:
    """Learners (and two trainers) of three countries on one or two channels, with courses started over four
    months, each with listings, FAQ rows and messages on days up to today."""
    ids = []
    async with db.transaction() as session:
        for i in range(40):
            joined = NOW - timedelta(days=i * 37 % 150, hours=i % 13)
            user = User(name=f"P{i}", language="en", country=("LA", "KH", None)[i % 3], step_data={},
                        role=Role.TRAINER if i in (0, 1) else Role.LEARNER, created_at=joined)
            session.add(user)
            await session.flush()
            ids.append(user.id)
            for n, channel in enumerate(["whatsapp", "telegram"] if i % 4 == 0 else [("telegram", "whatsapp")[i % 2]]):
                session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{i}-{n}",
                                    last_inbound_at=NOW - timedelta(days=(i * 11 + n * 5) % 40)))
            for c in range(i % 3 + 1):
                started = joined + timedelta(days=c * 3)
                if started < NOW:
                    session.add(LessonProgress(user_id=user.id, course_id=f"c{c}", lessons_done=0, next_lesson=0,
                                               started_at=started, updated_at=started))
            for k in range(3):
                when = NOW - timedelta(days=(i * 7 + k * 23) % 120, hours=k)
                session.add(Listing(seller_id=user.id, name="Scarf", description="", price="1", currency="LAK",
                                    category="weaving", country=("LA", "KH", "TH")[(i + k) % 3], location="",
                                    contact="relay", status=("pending", "active", "expired")[(i + k) % 3],
                                    created_at=when, updated_at=when))
                session.add(FaqAnswer(user_id=user.id if k else None, entry_id="e", question="?", created_at=when))
                session.add(FaqUnanswered(user_id=user.id, question="?", outcome="none", created_at=when))
                if k == 1:
                    session.add(FaqTicket(user_id=user.id, question="?", created_at=when))
                for channel in ("telegram", "whatsapp"):
                    session.add(Outbox(user_id=user.id, channel=channel, address=f"{channel}:{i}", body={},
                                       status=("sent", "delivered", "failed")[(i + k) % 3],
                                       broadcast_id=1 if (i + k) % 5 else None, created_at=when))
    return ids


async def counts(db: Database, kept: bool) -> dict[Filters, Any]:
    """``listed_counts`` for every filter; not ``kept``: the part set aside first, so from the tables."""
    if not kept:
        async with db.transaction() as session:
            await session.execute(update(LearnerSnapshot).where(LearnerSnapshot.id == LISTED).values(summarised=None))
    found = {}
    for f in FILTERS:
        async with db.read() as session:
            found[f] = await console_listed.listed_counts(session, f, NOW)
            assert (await console_listed._kept(session, f) is not None) == (kept and f in KEPT)
    return found


async def current(db: Database) -> bool:
    async with db.read() as session:
        return bool(await session.scalar(select(LearnerSnapshot.id).where(
            LearnerSnapshot.id == LISTED, LearnerSnapshot.summarised == LearnerSnapshot.version)))


async def check(db: Database) -> None:
    """The kept counts equal the tables' counts (the part current again after)."""
    assert await refresh_learners(db, NOW) and await current(db)
    kept = await counts(db, kept=True)
    assert kept == await counts(db, kept=False)
    assert await refresh_learners(db, NOW) and await current(db)
    assert sum(kept[Filters(90, None, None, "c1")]["faq"].values())  # the fixture has rows to count
    assert sum(kept[Filters(90, "LA", None, "c1")]["listing"].values())


async def check_again(db: Database) -> dict[Filters, Any]:
    assert await refresh_learners(db, NOW) and await current(db)
    return await counts(db, kept=True)


async def test_kept_counts_equal_the_tables(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_listed_summary, "WRITE_BATCH", 100)  # the groups written in many transactions
    ids = await fill(db)
    await check(db)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(ListedGroup))

    async with db.transaction() as session:  # learners start c1 today, and write today: counted beside
        session.add_all([LessonProgress(user_id=user, course_id="c1", started_at=NOW - timedelta(hours=1),
                                        updated_at=NOW) for i, user in enumerate(ids) if i % 3 == 0 and i < 20])
        session.add(FaqAnswer(user_id=ids[4], entry_id="e", question="?", created_at=NOW - timedelta(hours=1)))
        session.add(Outbox(user_id=ids[5], channel="telegram", address="telegram:x", body={}, status="sent",
                           broadcast_id=2, created_at=NOW - timedelta(minutes=5)))
        session.add(Outbox(user_id=ids[6], channel="telegram", address="telegram:y", body={}, status="sent",
                           created_at=NOW - timedelta(days=20)))  # a reply: not counted, fires nothing
    assert await current(db)
    assert await counts(db, kept=True) == await counts(db, kept=False)


@pytest.mark.parametrize("change", ["listing status", "late answer", "old message", "progress deleted",
                                    "address", "role"])
async def test_a_change_to_a_closed_day_sets_the_part_aside(db: Database, change: str) -> None:
    ids = await fill(db)
    assert await refresh_learners(db, NOW)
    before = NOW - timedelta(days=10)
    async with db.transaction() as session:
        if change == "listing status":
            first = await session.scalar(select(Listing.id).where(Listing.created_at < before).limit(1))
            await session.execute(update(Listing).where(Listing.id == first).values(status="expired"))
        elif change == "late answer":
            session.add(FaqUnanswered(user_id=ids[5], question="?", outcome="none", created_at=before))
        elif change == "old message":
            first = await session.scalar(select(Outbox.id).where(Outbox.created_at < before,
                                                                 Outbox.broadcast_id.is_not(None)).limit(1))
            await session.execute(update(Outbox).where(Outbox.id == first).values(status="failed"))
        elif change == "progress deleted":
            await session.execute(delete(LessonProgress).where(LessonProgress.user_id == ids[5]))
        elif change == "address":
            session.add(Address(user_id=ids[7], channel="telegram", address="telegram:another"))
        else:
            await session.execute(update(User).where(User.id == ids[8]).values(role=Role.TRAINER))
    assert not await current(db)
    assert await counts(db, kept=False) == await check_again(db)


async def test_many_starters_are_counted_from_the_tables(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await fill(db)
    assert await refresh_learners(db, NOW)
    async with db.transaction() as session:
        session.add_all([LessonProgress(user_id=user, course_id="c1", started_at=NOW - timedelta(hours=1),
                                        updated_at=NOW) for i, user in enumerate(ids) if i % 3 == 0])
    monkeypatch.setattr(console_listed, "MAX_STARTERS", 2)
    f = Filters(90, None, None, "c1")
    async with db.read() as session:
        boundary = await console_listed._kept(session, f)
        assert boundary is not None and await console_listed._starters(session, f, boundary) is None
    assert await counts(db, kept=True) == await counts(db, kept=False)
