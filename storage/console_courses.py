"""Queries of the console's course analytics: per course, how many learners started and completed it, the
median time to complete, certificates and spaced-review items; per lesson how far learners got; per quiz
question how often each choice was picked.

The *cohort* of a course is the learners (role learner, of the chosen country and channel) who started it in
the period (``LessonProgress.started_at``); quiz answers and review items count for the cohort's members.
Certificates count by the day they were issued; with no country or channel chosen they include those of
erased learners (kept as anonymous counts, ``storage.certificates.anonymise_certificates``).
Everything is grouped SQL: a handful of queries per page whatever the number of learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, exists, func, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.certificates import Certificate
from storage.console import EARLIEST, LATEST, Filters
from storage.console_filters import CompletionSeconds, listed_learner, staff
from storage.console_summary import STARTED
from storage.console_summary import totals as summed
from storage.db import is_postgres
from storage.models import Address, LessonProgress, QuizAnswer, Role, User
from storage.review import TOP_BOX, ReviewItem


@dataclass(frozen=True)
class CourseNumbers:
    """One course's totals for its cohort."""

    started: int = 0
    completed: int = 0
    certificates: int = 0
    in_review: int = 0  # review questions not yet mastered (boxes 1-4)
    mastered: int = 0  # box 5 or retired


@dataclass(frozen=True)
class ChoiceCount:
    question_id: str
    choice: int
    correct: bool
    count: int


def learner_ids(f: Filters) -> Select[Any]:
    """The ids of learners of the chosen country and channel."""
    query = select(User.id).where(User.role == Role.LEARNER)
    if f.country:
        query = query.where(User.country == f.country)
    if f.channel:
        query = query.where(User.id.in_(select(Address.user_id).where(Address.channel == f.channel)))
    return query


def is_learner(column: Any, f: Filters) -> ColumnElement[bool]:
    """``column`` (a user id) is a learner of the filters' country and channel. With neither chosen, "not
    staff": a handful of ids to leave out, far cheaper than matching every learner's id."""
    if f.country or f.channel:
        return column.in_(learner_ids(f))
    return column.not_in(staff())


def _cohort(f: Filters, now: datetime, learner: ColumnElement[bool] | None = None) -> list[ColumnElement[bool]]:
    """Conditions on ``LessonProgress`` rows of the cohort (any course); ``learner``: how to say the row is a
    learner's (default ``is_learner``)."""
    conditions = [is_learner(LessonProgress.user_id, f) if learner is None else learner]
    since = f.since(now)
    if since is not None:  # bounded on both sides: SQLite then walks the index on started_at
        conditions.append(LessonProgress.started_at.between(since, LATEST))
    return conditions


def in_cohort(column: Any, f: Filters, now: datetime, course_id: str) -> ColumnElement[bool]:
    """``column`` (the user id of a quiz answer or review item of this course) is of the cohort. Without a
    period that is any learner of the country and channel: an answer implies the learner started the course
    (restarting one deletes both), so there is no need to match the progress rows."""
    if f.since(now) is None:
        return is_learner(column, f)
    return column.in_(select(LessonProgress.user_id).where(LessonProgress.course_id == course_id, *_cohort(f, now)))


async def course_totals(session: AsyncSession, f: Filters, now: datetime,
                        course_id: str | None = None) -> dict[str, CourseNumbers]:
    """Per course id (every course someone started, or just ``course_id``): started, completed,
    certificates, review items."""
    reviewer = await listed_learner(session, ReviewItem.user_id, f) if f.since(now) is None else exists().where(
        LessonProgress.user_id == ReviewItem.user_id, LessonProgress.course_id == ReviewItem.course_id,
        *_cohort(f, now))
    review = (select(ReviewItem.course_id, func.count().filter(ReviewItem.box < TOP_BOX),
                     func.count().filter(ReviewItem.box >= TOP_BOX))
              .where(reviewer).group_by(ReviewItem.course_id))
    if course_id is not None:
        review = review.where(ReviewItem.course_id == course_id)
    cohort = Filters(f.days, f.country, f.channel, course_id)  # started in the period: summaries + today live
    started = {c: (n.n, n.done) for c, n in (await summed(session, STARTED, cohort, f.since(now), now)).items()}
    certificates = await certificate_counts(session, f, now, course_id)
    reviews = {c: (int(a), int(b)) for c, a, b in (await session.execute(review)).all()}
    totals: dict[str, CourseNumbers] = {}
    for course in {*started, *certificates, *reviews}:
        n, done = started.get(course, (0, 0))
        learning, mastered = reviews.get(course, (0, 0))
        totals[course] = CourseNumbers(n, done, certificates.get(course, 0), learning, mastered)
    return totals


async def certificate_counts(session: AsyncSession, f: Filters, now: datetime,
                             course_id: str | None = None) -> dict[str, int]:
    """Certificates issued in the period per course (revoked ones not counted)."""
    query = select(Certificate.course_id, func.count()).where(Certificate.revoked_at.is_(None))
    if course_id is not None:
        query = query.where(Certificate.course_id == course_id)
    since = f.since(now)
    if since is not None:
        query = query.where(Certificate.issued_at >= since)
    if f.country or f.channel:
        query = query.where(await listed_learner(session, Certificate.user_id, f))
    return {c: int(n) for c, n in (await session.execute(query.group_by(Certificate.course_id))).all()}


def _seconds() -> ColumnElement[float]:
    """Seconds from starting a course to completing it: the expression of the index on durations."""
    return CompletionSeconds(LessonProgress.completed_at, LessonProgress.started_at)


async def median_completions(session: AsyncSession, f: Filters, now: datetime, course_id: str | None = None,
                             completed: dict[str, int] | None = None) -> dict[str, float]:
    """Per course (or just ``course_id``): the median time (seconds) its cohort took from start to completion.
    ``completed``: how many completions each course's cohort has (``course_totals``, the summaries), so that
    the query knows the middle positions. For all time, each course's middle one or two durations are then
    read from the index on (course, duration), from the shortest to the middle, skipping those of others
    (one query, an arm per course). Else (with a period: the cohort is a range of the start index; and on
    PostgreSQL with a country or channel, whose list it would hash in every arm) one query numbers and
    counts the cohort's durations (a sort of all of them)."""
    # the learners probed (``+ 0``): SQLite walks the completions, not a listed learner's rows
    cohort = _cohort(f, now, await listed_learner(session, LessonProgress.user_id + 0, f))
    since = f.since(now)
    if course_id is not None and completed is not None:
        completed = {course_id: completed.get(course_id, 0)}
    if completed is not None and since is None and not (is_postgres(session) and (f.country or f.channel)):
        return await _middles(session, cohort, {c: n for c, n in completed.items() if n})
    seconds = _seconds().label("seconds")
    # completed_at in a range: SQLite reads the index on completion times alone
    durations = select(LessonProgress.course_id, seconds).where(LessonProgress.completed_at.between(EARLIEST, LATEST),
                                                                *cohort)
    if course_id is not None:
        durations = durations.where(LessonProgress.course_id == course_id)
    inner = durations.subquery()
    numbered = select(inner.c.course_id, inner.c.seconds,
                      func.row_number().over(partition_by=inner.c.course_id, order_by=inner.c.seconds).label("n"),
                      func.count().over(partition_by=inner.c.course_id).label("total")).subquery()
    middle = numbered.c.n.in_([(numbered.c.total + 1) // 2, (numbered.c.total + 2) // 2])
    query = select(numbered.c.course_id, func.avg(numbered.c.seconds)).where(middle).group_by(numbered.c.course_id)
    if is_postgres(session):  # the sort of a country's 50,000 durations in memory (4 MB, the default, spills)
        await session.execute(text("SET LOCAL work_mem = '32MB'"))
    return {c: max(0.0, float(v)) for c, v in (await session.execute(query)).all() if v is not None}


async def _middles(session: AsyncSession, cohort: list[ColumnElement[bool]],
                   completed: dict[str, int]) -> dict[str, float]:
    """The median of each course's ``completed`` durations of the ``cohort``: skip the first (n - 1) // 2 in
    the index's order, average the next one (n odd) or two."""
    if not completed:
        return {}
    arms = []
    for course, n in sorted(completed.items()):
        middle = (select(_seconds().label("seconds"))
                  .where(LessonProgress.course_id == course, LessonProgress.completed_at.is_not(None), *cohort)
                  .order_by(_seconds()).offset((n - 1) // 2).limit(2 - n % 2).subquery())
        arms.append(select(literal(course).label("course_id"), func.avg(middle.c.seconds).label("seconds")))
    rows = (await session.execute(union_all(*arms))).all()
    return {c: max(0.0, float(v)) for c, v in rows if v is not None}


async def lessons_reached(session: AsyncSession, f: Filters, now: datetime,
                          course_id: str) -> dict[int, tuple[int, int]]:
    """``{lessons shown: (learners, of whom completed the course)}`` for one course's cohort."""
    query = (select(LessonProgress.lessons_done, func.count(), func.count(LessonProgress.completed_at))
             .where(LessonProgress.course_id == course_id, *_cohort(f, now))
             .group_by(LessonProgress.lessons_done))
    return {int(n): (int(people), int(done)) for n, people, done in (await session.execute(query)).all()}


async def choice_counts(session: AsyncSession, f: Filters, now: datetime, course_id: str) -> list[ChoiceCount]:
    """How often the cohort picked each choice of each question of one course (first answers: one a learner)."""
    query = (select(QuizAnswer.question_id, QuizAnswer.choice, QuizAnswer.correct, func.count())
             .where(QuizAnswer.course_id == course_id, in_cohort(QuizAnswer.user_id, f, now, course_id))
             .group_by(QuizAnswer.question_id, QuizAnswer.choice, QuizAnswer.correct))
    return [ChoiceCount(q, int(c), bool(right), int(n)) for q, c, right, n in (await session.execute(query)).all()]


async def answered_all(session: AsyncSession, f: Filters, now: datetime, course_id: str,
                       question_ids: list[str]) -> int:
    """How many of the cohort answered every one of these questions (a lesson with several)."""
    if not question_ids:
        return 0
    each = (select(QuizAnswer.user_id)
            .where(QuizAnswer.course_id == course_id, QuizAnswer.question_id.in_(question_ids),
                   in_cohort(QuizAnswer.user_id, f, now, course_id))
            .group_by(QuizAnswer.user_id).having(func.count(func.distinct(QuizAnswer.question_id)) == len(question_ids))
            .subquery())
    return int(await session.scalar(select(func.count()).select_from(each)) or 0)


async def review_by_question(session: AsyncSession, f: Filters, now: datetime,
                             course_id: str) -> dict[str, tuple[int, int]]:
    """Per question of one course: (learners reviewing it, learners who mastered it) in the cohort."""
    query = (select(ReviewItem.question_id,
                    func.sum(func.cast(ReviewItem.box < TOP_BOX, Integer)),
                    func.sum(func.cast(ReviewItem.box >= TOP_BOX, Integer)))
             .where(and_(ReviewItem.course_id == course_id,
                         in_cohort(ReviewItem.user_id, f, now, course_id)))
             .group_by(ReviewItem.question_id))
    return {q: (int(a or 0), int(b or 0)) for q, a, b in (await session.execute(query)).all()}
