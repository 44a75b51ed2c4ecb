"""The console's daily summaries (``storage.console_summary``) give exactly the live numbers: before any
summary, after the refresh, after changes to summarised days (a late row, progress on an old row, a
restart, a learner's country and channels changing: the triggers mark the days, pages compute them live),
after summarising again, and when a day closes after a refresh. Likewise the learner snapshot
(``storage.console_learners``): newcomers counted live beside it, set aside when an earlier learner changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

import storage.all_models  # noqa: F401
from storage import console
from storage.console import Filters
from storage.console_courses import course_totals, median_completions
from storage.console_learners import COURSES, PEOPLE, LearnerSnapshot, refresh_learners
from storage.console_listed_summary import LISTED
from storage.console_summary import KINDS, SummaryDay, SummaryMonth, day_rows, live, refresh, totals, write_day
from storage.db import Database
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, QuizAnswer, Role, User

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
ALL = {PEOPLE, COURSES, LISTED}  # the snapshot's parts
FILTERS = [Filters(days, country, channel, course) for days, country, channel, course in itertools.product(
    (7, 30, None), (None, "LA"), (None, "telegram"), (None, "c1"))]


async def fill(db: Database) -> None:
    async with db.transaction() as session:
        for i in range(24):
            role = Role.TRAINER if i == 0 else Role.LEARNER
            user = User(name=f"P{i}", language="en", country=("LA", "KH", None)[i % 3], role=role, step_data={},
                        created_at=NOW - timedelta(days=40))
            session.add(user)
            await session.flush()
            channels = ["whatsapp", "telegram"] if i % 4 == 0 else ["telegram" if i % 2 else "whatsapp"]
            channels += ["whatsapp"] if i % 6 == 1 else []  # a second address on one channel counts once
            for n, channel in enumerate(channels):
                session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{i}-{n}"))
            for c in range(3):
                started = NOW - timedelta(days=(i * 7 + c * 5) % 45, hours=i % 5)
                done = (i + c) % 4
                completed = started + timedelta(days=c + 1) if done == 3 else None
                session.add(LessonProgress(user_id=user.id, course_id=f"c{c}", lessons_done=done, next_lesson=done,
                                           started_at=started, updated_at=started, completed_at=completed))
                session.add(QuizAnswer(user_id=user.id, course_id=f"c{c}", question_id="q1", choice=i % 3,
                                       correct=i % 3 == 0, answered_at=started + timedelta(hours=3)))
            # an answer without a progress row (only the course filter tells it apart)
            session.add(QuizAnswer(user_id=user.id, course_id="c1" if i % 5 == 0 else "c9", question_id="q2",
                                   choice=0, correct=True, answered_at=NOW - timedelta(days=i % 9)))


async def reference_learning(db: Database, f: Filters, now: datetime) -> dict[str, int]:
    """The dashboard's learning numbers as the live queries computed them before the summaries."""
    since = f.since(now)
    users = select(User.id).where(*console.learner_conditions(f)).scalar_subquery()
    async with db.read() as session:
        progress = select(func.coalesce(func.sum(LessonProgress.lessons_done), 0),
                          func.count().filter(LessonProgress.completed_at >= since) if since
                          else func.count(LessonProgress.completed_at)).where(LessonProgress.user_id.in_(users))
        quiz = select(func.count(), func.count().filter(QuizAnswer.correct.is_(True))).where(
            QuizAnswer.user_id.in_(users))
        if since:
            quiz = quiz.where(QuizAnswer.answered_at >= since)
        if f.course:
            progress = progress.where(LessonProgress.course_id == f.course)
            quiz = quiz.where(QuizAnswer.course_id == f.course)
        lessons, courses = (await session.execute(progress)).one()
        answers, right = (await session.execute(quiz)).one()
    return {"lessons": int(lessons), "courses": int(courses), "answers": int(answers), "correct": int(right)}


async def check(db: Database, now: datetime) -> None:
    async with db.read() as session:
        for f in FILTERS:
            since = f.since(now)
            for kind in KINDS:
                wanted = await live(session, kind, f, [(since, None)])
                assert await totals(session, kind, f, since, now) == wanted, (kind, f)
            numbers = await console.learning_counts(session, f, now)
            assert {k: numbers[k] for k in ("lessons", "courses", "answers", "correct")} == \
                await reference_learning(db, f, now), f


async def summarised(db: Database) -> set[str]:
    async with db.read() as session:
        rows = await session.scalars(select(SummaryDay.day).where(SummaryDay.summarised == SummaryDay.version))
        return set(rows.all())


async def test_summaries_equal_live_numbers(db: Database) -> None:
    await fill(db)
    await check(db, NOW)  # nothing summarised: all live
    assert await refresh(db, NOW) > 40
    days = await summarised(db)
    assert max(days) == (NOW - timedelta(days=1)).date().isoformat()  # closed days only
    async with db.read() as session:  # February rolled up; January has days before the first row
        assert set((await session.scalars(select(SummaryMonth.month))).all()) == {"2026-02"}
    await check(db, NOW)

    async with db.transaction() as session:  # changes to summarised days
        first = await session.scalar(select(User.id).where(User.role == Role.LEARNER).order_by(User.id).limit(1))
        late = NOW - timedelta(days=6)
        session.add(LessonProgress(user_id=first, course_id="c7", lessons_done=2, next_lesson=2, started_at=late,
                                   updated_at=NOW, completed_at=late + timedelta(hours=1)))
        await session.execute(update(LessonProgress).where(LessonProgress.completed_at.is_(None),
                                                           LessonProgress.user_id == first + 1)
                              .values(lessons_done=5, completed_at=NOW - timedelta(days=2)))
        await session.execute(delete(LessonProgress).where(LessonProgress.user_id == first + 2,
                                                           LessonProgress.course_id == "c1"))
        await session.execute(update(User).where(User.id == first + 3).values(country="LA"))
        session.add(Address(user_id=first + 4, channel="telegram", address="telegram:new"))
        await session.execute(delete(QuizAnswer).where(QuizAnswer.user_id == first + 5))
        await session.execute(update(User).where(User.id == first + 6).values(role=Role.TRAINER))
    assert await summarised(db) < days  # the triggers marked the days they touched
    await check(db, NOW)
    await refresh(db, NOW)
    assert await summarised(db) == days
    await check(db, NOW)

    async with db.transaction() as session:  # today's rows, then the day closes after the refresh
        for i in range(3):
            session.add(LessonProgress(user_id=first + 7, course_id=f"t{i}", lessons_done=1, next_lesson=1,
                                       started_at=NOW + timedelta(hours=i), updated_at=NOW,
                                       completed_at=NOW + timedelta(hours=i + 1) if i else None))
    tomorrow = NOW + timedelta(days=1)
    await check(db, tomorrow)  # yesterday closed, not summarised yet: live
    assert await refresh(db, tomorrow) == 1
    assert NOW.date().isoformat() in await summarised(db)
    await check(db, tomorrow)
    await check(db, NOW)  # the earlier "now": today's summary is not used for it


async def people(db: Database, now: datetime) -> list[object]:
    keys = ["country", "language", "channel", "craft", "sex", "age_band"]
    found: list[object] = []
    async with db.read() as session:
        for f in FILTERS:
            found += [await console.learner_counts(session, f, now), await console.breakdowns(session, f, keys),
                      await console.report_tables(session, f, now)]
    return found


async def live_people(db: Database, now: datetime) -> list[object]:
    """``people`` with the snapshot set aside (as when it is not current)."""
    async with db.transaction() as session:
        kept = dict((await session.execute(select(LearnerSnapshot.id, LearnerSnapshot.summarised))).all())
        await session.execute(update(LearnerSnapshot).values(summarised=-1))
    found = await people(db, now)
    async with db.transaction() as session:
        for part, summarised in kept.items():
            await session.execute(update(LearnerSnapshot).where(LearnerSnapshot.id == part)
                                  .values(summarised=summarised))
    return found


async def current(db: Database) -> set[int]:
    """The snapshot's current parts (``PEOPLE``, ``COURSES``, ``LISTED``)."""
    async with db.read() as session:
        return set((await session.scalars(select(LearnerSnapshot.id).where(
            LearnerSnapshot.summarised == LearnerSnapshot.version))).all())


async def test_learner_snapshot_equals_live_counts(db: Database) -> None:
    await fill(db)
    before = await people(db, NOW)  # no snapshot: live
    assert await refresh_learners(db, NOW) and await current(db) == ALL
    assert await people(db, NOW) == before == await live_people(db, NOW)

    async with db.transaction() as session:  # joined today: counted live next to the snapshot
        user = User(name="New", language="lo", country="LA", craft="silk", role=Role.LEARNER, step_data={},
                    created_at=NOW - timedelta(hours=1))
        session.add(user)
        await session.flush()
        session.add(Address(user_id=user.id, channel="telegram", address="telegram:newcomer"))
    assert await current(db) == ALL
    assert await people(db, NOW) == await live_people(db, NOW)

    async with db.transaction() as session:  # earlier learners start c1 (again) today; the newcomer too
        first = await session.scalar(select(User.id).where(User.role == Role.LEARNER).order_by(User.id).limit(1))
        await session.execute(update(LessonProgress).where(LessonProgress.user_id.in_([first + 2, first + 5]),
                                                           LessonProgress.course_id == "c1")
                              .values(started_at=NOW - timedelta(hours=2)))
        await session.execute(delete(LessonProgress).where(LessonProgress.user_id == first + 3,
                                                           LessonProgress.course_id == "c1"))
        session.add(LessonProgress(user_id=user.id, course_id="c1", started_at=NOW - timedelta(minutes=5),
                                   updated_at=NOW))
    assert await current(db) == {PEOPLE}  # the courses' part is set aside, the rest still used
    assert await people(db, NOW) == await live_people(db, NOW)
    assert await refresh_learners(db, NOW) and await current(db) == ALL
    assert await people(db, NOW) == await live_people(db, NOW)  # restarted today: counted live beside it
    async with db.transaction() as session:
        session.add(LessonProgress(user_id=first + 3, course_id="c1", started_at=NOW - timedelta(minutes=1),
                                   updated_at=NOW))  # started today: the snapshot stays current
        await session.execute(update(LessonProgress).where(LessonProgress.user_id == first + 4,
                                                           LessonProgress.course_id == "c2")
                              .values(lessons_done=4))  # progress, not a start: no trigger
    assert await current(db) == ALL
    assert await people(db, NOW) == await live_people(db, NOW)

    async with db.transaction() as session:  # an earlier learner changes: the snapshot is set aside
        first = await session.scalar(select(User.id).where(User.role == Role.LEARNER).order_by(User.id).limit(1))
        await session.execute(update(User).where(User.id == first).values(craft="pottery", sex="woman"))
    assert not await current(db)
    assert await refresh_learners(db, NOW) and await current(db) == ALL
    assert await people(db, NOW) == await live_people(db, NOW)
    async with db.transaction() as session:
        session.add(Address(user_id=first + 1, channel="whatsapp", address="whatsapp:another"))
    assert not await current(db)
    assert await refresh_learners(db, NOW + timedelta(days=1))  # the next day: yesterday's newcomer inside
    assert await people(db, NOW + timedelta(days=1)) == await live_people(db, NOW + timedelta(days=1))


async def test_a_change_while_a_day_is_computed_leaves_it_stale(db: Database) -> None:
    await fill(db)
    await refresh(db, NOW)
    day = (NOW - timedelta(days=3)).date()
    async with db.transaction() as session:
        await session.execute(update(SummaryDay).where(SummaryDay.day == day.isoformat()).values(summarised=None))
    async with db.read() as session:
        version, rows = await day_rows(session, day)
    async with db.transaction() as session:  # a row of that day changes after it was read
        await session.execute(update(LessonProgress).where(
            LessonProgress.started_at.between(NOW - timedelta(days=3, hours=12), NOW - timedelta(days=2, hours=12)))
            .values(lessons_done=LessonProgress.lessons_done + 1))
    async with db.transaction() as session:
        assert not await write_day(session, day, version, rows)
    assert day.isoformat() not in await summarised(db)
    await check(db, NOW)
    await refresh(db, NOW)
    assert day.isoformat() in await summarised(db)
    await check(db, NOW)


async def test_activity_counts_equal_the_counts_one_by_one(db: Database) -> None:
    """Listings, FAQ and announcement counts at once (one query with a course filter) are those of
    ``listing_counts``, ``faq_counts`` and ``announcement_counts``, whatever the filters."""
    await fill(db)
    async with db.transaction() as session:
        ids = list((await session.scalars(select(User.id).order_by(User.id))).all())
        for n, user in enumerate(ids):
            when = NOW - timedelta(days=n * 3 % 50, hours=n % 7)
            session.add(Listing(seller_id=user, name="Scarf", description="", price="1", currency="LAK",
                                category="weaving", country=("LA", "KH")[n % 2], location="", contact="relay",
                                status=("pending", "active", "expired")[n % 3], created_at=when, updated_at=when))
            session.add(FaqAnswer(user_id=user if n % 5 else None, entry_id="e", question="?", created_at=when))
            session.add(FaqUnanswered(user_id=user, question="?", outcome="none", created_at=when))
            session.add(FaqTicket(user_id=user, question="?", created_at=when))
            for k, channel in enumerate(("telegram", "whatsapp")):
                session.add(Outbox(user_id=user if n % 4 else None, channel=channel, address=f"{channel}:{n}",
                                   body={}, status=("sent", "delivered", "failed")[(n + k) % 3],
                                   broadcast_id=1 if (n + k) % 6 else None, created_at=when))
        await session.execute(delete(LessonProgress).where(LessonProgress.user_id.in_(ids[::4]),
                                                           LessonProgress.course_id == "c1"))
    async with db.read() as session:
        for f in FILTERS:
            one_by_one = (await console.listing_counts(session, f, NOW), await console.faq_counts(session, f, NOW),
                          await console.announcement_counts(session, f, NOW))
            assert await console.activity_counts(session, f, NOW) == one_by_one, f
            assert any(one_by_one[1].values()) or f.days == 7, f  # the fixture has rows to count


async def test_medians_with_the_counts_of_the_course_totals(db: Database) -> None:
    """The course list's medians, given each course's completions from ``course_totals`` (the summaries), are
    those the query finds counting them itself."""
    await fill(db)
    async with db.transaction() as session:  # durations that differ (the fixture's are a day per course)
        for n, user in enumerate((await session.scalars(select(User.id).order_by(User.id))).all()):
            started = NOW - timedelta(days=n % 9 + 2)
            session.add(LessonProgress(user_id=user, course_id=f"m{n % 2}", started_at=started, updated_at=started,
                                       completed_at=started + timedelta(hours=n * 7 % 30) if n % 3 else None))
    await refresh(db, NOW)
    async with db.read() as session:
        for f in FILTERS:
            counts = {c: n.completed for c, n in (await course_totals(session, f, NOW)).items()}
            found = await median_completions(session, f, NOW, completed=counts)
            assert found == await median_completions(session, f, NOW), f
            assert found or f.days == 7 or f.course, f  # the fixture has completions to take the median of
