"""Queries of the trainer console: the dashboard's aggregates, the learner list and page, exports and the
periodic report. Everything is aggregate SQL over indexed columns (``INDEXES`` below, migrations 0010 and
0011). Lists page by key (``id < after``), never by offset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Index, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.events import events_attended
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, QuizAnswer, Role, User

# What the console's aggregates need beyond the features' own indexes.
INDEXES = (
    Index("ix_users_role_created", User.__table__.c.role, User.__table__.c.created_at),
    Index("ix_users_country", User.__table__.c.country),
    Index("ix_addresses_channel", Address.__table__.c.channel, Address.__table__.c.user_id),
    Index("ix_lesson_progress_started", LessonProgress.__table__.c.started_at),
    Index("ix_quiz_answers_question", QuizAnswer.__table__.c.course_id, QuizAnswer.__table__.c.question_id,
          QuizAnswer.__table__.c.choice, QuizAnswer.__table__.c.correct, QuizAnswer.__table__.c.user_id),
    Index("ix_addresses_last_inbound", Address.__table__.c.last_inbound_at, Address.__table__.c.user_id),
    Index("ix_lesson_progress_course", LessonProgress.__table__.c.course_id, LessonProgress.__table__.c.user_id),
    Index("ix_lesson_progress_completed", LessonProgress.__table__.c.completed_at),
    Index("ix_quiz_answers_answered", QuizAnswer.__table__.c.answered_at),
    Index("ix_faq_tickets_created", FaqTicket.__table__.c.created_at),
    Index("ix_faq_answers_created", FaqAnswer.__table__.c.created_at),
)

# Profile columns shown only when the users table has them (sex and age band come with another issue).
OPTIONAL_COLUMNS = ("sex", "age_band")
BREAKDOWNS = ("country", "language", "craft", *OPTIONAL_COLUMNS)


def day_start(moment: datetime) -> datetime:
    """The start of ``moment``'s UTC day."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


@dataclass(frozen=True)
class Filters:
    """The console's filters: a period (days back, ``None`` for all time), country, channel, course."""

    days: int | None = 30
    country: str | None = None
    channel: str | None = None
    course: str | None = None

    def since(self, now: datetime) -> datetime | None:
        """The period's first moment: the start of the UTC day ``days`` days ago (whole days)."""
        return day_start(now - timedelta(days=self.days)) if self.days else None


def optional_columns() -> list[str]:
    """The optional profile columns the users table has."""
    return [name for name in OPTIONAL_COLUMNS if name in User.__table__.c]


def _learner_conditions(f: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [User.role == Role.LEARNER]
    if f.country:
        conditions.append(User.country == f.country)
    if f.channel:
        conditions.append(User.id.in_(select(Address.user_id).where(Address.channel == f.channel)))
    if f.course:
        conditions.append(User.id.in_(select(LessonProgress.user_id).where(LessonProgress.course_id == f.course)))
    return conditions


learner_conditions = _learner_conditions


def _filtered(f: Filters) -> bool:
    return bool(f.country or f.channel or f.course)


def _users(f: Filters) -> Any:
    return select(User.id).where(*_learner_conditions(f)).scalar_subquery()


async def learner_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Learners in total, active (wrote) in the last 7 and 30 days, new in the period."""
    since = f.since(now)
    active = select(Address.user_id).where(Address.last_inbound_at >= now - timedelta(days=30))
    active7 = select(Address.user_id).where(Address.last_inbound_at >= now - timedelta(days=7))
    new = func.count().filter(User.created_at >= since) if since else func.count()
    query = select(func.count(), func.count().filter(User.id.in_(active7)), func.count().filter(User.id.in_(active)),
                   new).where(*_learner_conditions(f))
    row = (await session.execute(query)).one()
    return {"total": row[0], "active_7": row[1], "active_30": row[2], "new": row[3]}


def week_starts(now: datetime, weeks: int) -> list[datetime]:
    """The first moments of the last ``weeks`` seven-day weeks (whole UTC days, the last one ends today)."""
    end = day_start(now) + timedelta(days=1)
    return [end - timedelta(weeks=weeks - i) for i in range(weeks)]


async def new_per_week(session: AsyncSession, f: Filters, now: datetime, weeks: int = 8) -> list[tuple[datetime, int]]:
    """New learners in each of the last ``weeks`` weeks (oldest first), keyed by the week's first moment."""
    starts = week_starts(now, weeks)
    columns = [func.count().filter(User.created_at >= start, User.created_at < start + timedelta(weeks=1))
               for start in starts]
    row = (await session.execute(select(*columns).where(*_learner_conditions(f),
                                                        User.created_at >= starts[0]))).one()
    return list(zip(starts, (int(n) for n in row), strict=True))


async def breakdown(session: AsyncSession, f: Filters, by: str, limit: int = 12) -> list[tuple[str | None, int]]:
    """Learners per value of ``by`` (country, language, craft, channel, or an optional column), most first."""
    if by == "channel":
        query = (select(Address.channel, func.count(func.distinct(Address.user_id)))
                 .join(User, User.id == Address.user_id).where(*_learner_conditions(f)).group_by(Address.channel))
    elif by in BREAKDOWNS and by in User.__table__.c:
        column = User.__table__.c[by]
        query = select(column, func.count()).where(*_learner_conditions(f)).group_by(column)
    else:
        raise ValueError(f"no breakdown by {by}")
    rows: list[tuple[str | None, int]] = [(key, int(n)) for key, n in (await session.execute(query)).all()]
    return sorted(rows, key=lambda r: (-r[1], r[0] or ""))[:limit]


async def breakdowns(session: AsyncSession, f: Filters, keys: Sequence[str],
                     limit: int = 12) -> dict[str, list[tuple[str | None, int]]]:
    """``breakdown`` for several keys at once: the users table's columns in one scan (grouped by all of them,
    summed per column here), the channel in its own query."""
    columns = [k for k in keys if k != "channel" and k in BREAKDOWNS and k in User.__table__.c]
    found: dict[str, dict[str | None, int]] = {k: {} for k in columns}
    if columns:
        table = [User.__table__.c[k] for k in columns]
        rows = await session.execute(select(*table, func.count()).where(*_learner_conditions(f)).group_by(*table))
        for row in rows:
            for key, value in zip(columns, row[:-1], strict=True):
                found[key][value] = found[key].get(value, 0) + int(row[-1])
    result: dict[str, list[tuple[str | None, int]]] = {}
    for key in keys:
        if key in found:
            result[key] = sorted(found[key].items(), key=lambda r: (-r[1], r[0] or ""))[:limit]
        else:
            result[key] = await breakdown(session, f, key, limit)
    return result


async def learning_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, float]:
    """Lessons completed (all time), courses completed and quiz answers (right / all) in the period."""
    since = f.since(now)
    users = _users(f)
    progress = select(func.coalesce(func.sum(LessonProgress.lessons_done), 0),
                      func.count().filter(LessonProgress.completed_at >= since) if since
                      else func.count(LessonProgress.completed_at)).where(LessonProgress.user_id.in_(users))
    if f.course:
        progress = progress.where(LessonProgress.course_id == f.course)
    lessons, courses = (await session.execute(progress)).one()
    quiz = select(func.count(), func.count().filter(QuizAnswer.correct.is_(True))).where(QuizAnswer.user_id.in_(users))
    if since:
        quiz = quiz.where(QuizAnswer.answered_at >= since)
    if f.course:
        quiz = quiz.where(QuizAnswer.course_id == f.course)
    answers, right = (await session.execute(quiz)).one()
    return {"lessons": int(lessons), "courses": int(courses), "answers": int(answers), "correct": int(right),
            "correct_rate": (right / answers) if answers else 0.0}


async def listing_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Listings per status (created in the period, of the filtered people)."""
    query = select(Listing.status, func.count()).group_by(Listing.status)
    since = f.since(now)
    if since:
        query = query.where(Listing.created_at >= since)
    if f.country:
        query = query.where(Listing.country == f.country)
    if f.channel or f.course:
        query = query.where(Listing.seller_id.in_(_users(Filters(None, None, f.channel, f.course))))
    return {status: int(n) for status, n in (await session.execute(query)).all()}


async def faq_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """FAQ questions answered, missed (no good answer) and handed over to a person, in the period."""
    since = f.since(now)
    counts: dict[str, int] = {}
    for key, table, when in (("answered", FaqAnswer, FaqAnswer.created_at),
                             ("missed", FaqUnanswered, FaqUnanswered.created_at),
                             ("handed_over", FaqTicket, FaqTicket.created_at)):
        query = select(func.count()).select_from(table)
        if since:
            query = query.where(when >= since)
        if _filtered(f):
            query = query.where(table.user_id.in_(_users(f)))
        counts[key] = int(await session.scalar(query) or 0)
    return counts


async def announcement_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Announcement messages per outbox status (written in the period)."""
    query = select(Outbox.status, func.count()).where(Outbox.broadcast_id.is_not(None)).group_by(Outbox.status)
    since = f.since(now)
    if since:
        query = query.where(Outbox.created_at >= since)
    if f.channel:
        query = query.where(Outbox.channel == f.channel)
    if f.country or f.course:
        query = query.where(Outbox.user_id.in_(_users(f)))
    return {status: int(n) for status, n in (await session.execute(query)).all()}


async def distinct_values(session: AsyncSession, column: Any) -> list[str]:
    """The values of an indexed column, in order: one index probe per value (a recursive "skip scan"),
    not a scan of every row."""
    seed = select(func.min(column).label("v")).where(column.is_not(None)).cte("walk", recursive=True)
    following = select(func.min(column)).where(column > seed.c.v).scalar_subquery()
    walk = seed.union_all(select(following).where(seed.c.v.is_not(None)).select_from(seed))
    return [v for v in (await session.scalars(select(walk.c.v).where(walk.c.v.is_not(None)))).all()]


async def filter_choices(session: AsyncSession, courses: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Values the filters offer: countries, channels that occur, and ``courses`` (the content library's;
    else the courses someone started)."""
    found = {"country": [c for c in await distinct_values(session, User.country) if c],
             "channel": await distinct_values(session, Address.channel)}
    found["course"] = sorted(courses) if courses is not None else await distinct_values(
        session, LessonProgress.course_id)
    return found


# --- learners ----------------------------------------------------------------------------------------


def _search(f: Filters, q: str) -> list[ColumnElement[bool]]:
    conditions = _learner_conditions(f)
    if q:
        pattern = f"%{q.strip().lower()}%"
        conditions.append(or_(func.lower(User.name).like(pattern),
                              User.id.in_(select(Address.user_id).where(func.lower(Address.address).like(pattern)))))
    return conditions


async def search_learners(session: AsyncSession, f: Filters, q: str = "", after: int | None = None,
                          limit: int = 50) -> list[User]:
    """Learners matching the filters and ``q`` (part of a name or address), newest first, after id ``after``."""
    query = select(User).where(*_search(f, q)).order_by(User.id.desc()).limit(limit)
    if after is not None:
        query = query.where(User.id < after)
    return list((await session.scalars(query)).all())


async def learner(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def learner_records(session: AsyncSession, user_id: int) -> dict[str, list[Any]]:
    """Everything kept about one person beyond the profile: progress, quiz answers, listings, tickets."""
    async def rows(query: Any) -> list[Any]:
        return list((await session.scalars(query)).all())

    return {
        "progress": await rows(select(LessonProgress).where(LessonProgress.user_id == user_id)
                               .order_by(LessonProgress.started_at)),
        "quiz": await rows(select(QuizAnswer).where(QuizAnswer.user_id == user_id).order_by(QuizAnswer.answered_at)),
        "listings": await rows(select(Listing).where(Listing.seller_id == user_id).order_by(Listing.id)),
        "tickets": await rows(select(FaqTicket).where(FaqTicket.user_id == user_id).order_by(FaqTicket.id)),
        "unanswered": await rows(select(FaqUnanswered).where(FaqUnanswered.user_id == user_id)
                                 .order_by(FaqUnanswered.id)),
    }


# --- exports and the periodic report -----------------------------------------------------------------


async def learner_batch(session: AsyncSession, f: Filters, after: int, limit: int = 2000) -> Sequence[Any]:
    """One batch of learner rows for an export, by ascending id after ``after``."""
    extra = [User.__table__.c[name] for name in optional_columns()]
    channels = (select(func.min(Address.channel)).where(Address.user_id == User.id).correlate(User)
                .scalar_subquery())
    last_seen = (select(func.max(Address.last_inbound_at)).where(Address.user_id == User.id).correlate(User)
                 .scalar_subquery())
    query = (select(User.id, User.name, User.language, User.country, User.province, User.craft, *extra,
                    channels, User.created_at, last_seen)
             .where(*_learner_conditions(f), User.id > after).order_by(User.id).limit(limit))
    return (await session.execute(query)).all()


async def progress_batch(session: AsyncSession, f: Filters, after: int, limit: int = 2000) -> Sequence[Any]:
    """One batch of (progress id, user id, course, lessons done, started, completed) rows after ``after``."""
    query = (select(LessonProgress.id, LessonProgress.user_id, LessonProgress.course_id, LessonProgress.lessons_done,
                    LessonProgress.started_at, LessonProgress.completed_at)
             .where(LessonProgress.id > after, LessonProgress.user_id.in_(_users(f))).order_by(LessonProgress.id)
             .limit(limit))
    if f.course:
        query = query.where(LessonProgress.course_id == f.course)
    return (await session.execute(query)).all()


async def report_tables(session: AsyncSession, f: Filters, now: datetime) -> dict[str, list[tuple[str, int]]]:
    """The periodic report's tables: beneficiaries (learners) by country, province, craft (and sex and age
    band when kept), courses completed per course, listings posted per country (in the period)."""
    tables: dict[str, list[tuple[str, int]]] = {}
    for by in ("country", "province", "craft", *optional_columns()):
        column = User.__table__.c[by]
        keys = (User.country, column) if by == "province" else (column,)
        query = select(*keys, func.count()).where(*_learner_conditions(f)).group_by(*keys)
        tables[by] = sorted((" / ".join(str(k or "") for k in row[:-1]), int(row[-1]))
                            for row in (await session.execute(query)).all())
    tables.update(await report_learning(session, f, now))
    return tables


async def report_learning(session: AsyncSession, f: Filters, now: datetime,
                          courses: bool = True) -> dict[str, list[tuple[str, int]]]:
    """The periodic report's courses completed per course (unless not ``courses``) and listings posted per
    country (in the period)."""
    since = f.since(now)
    tables: dict[str, list[tuple[str, int]]] = {}
    if courses:
        done = select(LessonProgress.course_id, func.count()).where(
            LessonProgress.completed_at.is_not(None), LessonProgress.user_id.in_(_users(f))).group_by(
            LessonProgress.course_id)
        if since:
            done = done.where(LessonProgress.completed_at >= since)
        tables["courses_completed"] = sorted((c, int(n)) for c, n in (await session.execute(done)).all())
    posted = select(Listing.country, func.count()).where(Listing.seller_id.in_(_users(f))).group_by(Listing.country)
    if since:
        posted = posted.where(Listing.created_at >= since)
    tables["listings_posted"] = sorted((c or "", int(n)) for c, n in (await session.execute(posted)).all())
    tables["events_attended"] = await events_attended(session, _users(f), since)
    return tables

