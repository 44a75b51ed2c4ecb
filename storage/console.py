"""Queries of the trainer console: the dashboard's aggregates, the learner list and page, exports and the
periodic report. Everything is aggregate SQL over indexed columns (``INDEXES`` below, migrations 0010,
0011 and 0019); learning numbers and learner counts read the summaries (``storage.console_summary``,
``storage.console_learners``) and count live only what they leave out. Lists page by key (``id < after``),
never by offset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Index, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.console_filters import (
    EARLIEST,
    LATEST,
    OPTIONAL_COLUMNS,
    CompletionSeconds,
    Filters,
    day_start,
    distinct_values,
    filtered,
    learner_conditions,
    learner_id_list,
    member,
    member_of,
    optional_columns,
)
from storage.console_learners import dims, learner_groups
from storage.console_listed import ACTIVE, JOINED, listed_counts, week_starts
from storage.console_summary import ANSWERED, COMPLETED, STARTED, totals
from storage.events import Rsvp, events_attended
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, QuizAnswer, User

# What the console's aggregates need beyond the features' own indexes.
INDEXES = (
    Index("ix_users_role_created", User.__table__.c.role, User.__table__.c.created_at),
    Index("ix_users_country", User.__table__.c.country, postgresql_include=["id"]),  # a country's ids: index only
    Index("ix_addresses_channel", Address.__table__.c.channel, Address.__table__.c.user_id),
    # The course cohorts (started in a period) and their completion times, from the index alone.
    Index("ix_lesson_progress_cohort", LessonProgress.__table__.c.started_at, LessonProgress.__table__.c.course_id,
          LessonProgress.__table__.c.completed_at, LessonProgress.__table__.c.user_id),
    Index("ix_outbox_created", Outbox.__table__.c.created_at, Outbox.__table__.c.broadcast_id,
          Outbox.__table__.c.status, Outbox.__table__.c.channel, Outbox.__table__.c.user_id),
    Index("ix_quiz_answers_question", QuizAnswer.__table__.c.course_id, QuizAnswer.__table__.c.question_id,
          QuizAnswer.__table__.c.choice, QuizAnswer.__table__.c.correct, QuizAnswer.__table__.c.user_id),
    Index("ix_addresses_last_inbound", Address.__table__.c.last_inbound_at, Address.__table__.c.user_id),
    Index("ix_lesson_progress_course", LessonProgress.__table__.c.course_id, LessonProgress.__table__.c.user_id),
    Index("ix_lesson_progress_completed", LessonProgress.__table__.c.completed_at,  # with the completion times
          LessonProgress.__table__.c.course_id, LessonProgress.__table__.c.started_at,
          LessonProgress.__table__.c.user_id),
    # Each course's completions in the order of their durations (the course list's medians walk to the
    # middle of a course's rows instead of sorting them all; migration 0022).
    Index("ix_lesson_progress_duration", LessonProgress.__table__.c.course_id,
          CompletionSeconds(LessonProgress.__table__.c.completed_at, LessonProgress.__table__.c.started_at),
          LessonProgress.__table__.c.started_at, LessonProgress.__table__.c.user_id,
          LessonProgress.__table__.c.completed_at, sqlite_where=LessonProgress.__table__.c.completed_at.is_not(None),
          postgresql_where=LessonProgress.__table__.c.completed_at.is_not(None)),
    Index("ix_quiz_answers_answered", QuizAnswer.__table__.c.answered_at),
    Index("ix_faq_tickets_created", FaqTicket.__table__.c.created_at, FaqTicket.__table__.c.user_id),
    Index("ix_faq_answers_created", FaqAnswer.__table__.c.created_at, FaqAnswer.__table__.c.user_id),
)  # with the user id: a period's rows and whose they are from the index alone (migration 0021)

# Defined in storage.console_filters (which the summaries import too), used from here by the pages.
__all__ = ["EARLIEST", "LATEST", "OPTIONAL_COLUMNS", "Filters", "day_start", "distinct_values", "learner_conditions",
           "optional_columns"]

BREAKDOWNS = ("country", "language", "craft", *OPTIONAL_COLUMNS)


async def learner_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Learners in total, active (wrote) in the last 7 and 30 days, new in the period. The total from the
    learner snapshot (``storage.console_learners``), the others by index ranges."""
    groups = await learner_groups(session, f, ["country"])
    if groups is None:
        return await _learner_counts_live(session, f, now)
    since = f.since(now)
    total = sum(groups["country"].values())
    new = (await _joined(session, f, now))[0] if since else total
    if f.channel or f.course:  # with the other counts of the lists' learners, each list read once
        active = (await listed_counts(session, f, now))[ACTIVE]
        return {"total": total, "active_7": active["7"], "active_30": active["30"], "new": new}
    week = now - timedelta(days=7)
    row = (await session.execute(select(  # ``+ 0``: the range of the index drives, not the lists
        func.count(func.distinct(case((Address.last_inbound_at >= week, Address.user_id)))),
        func.count(func.distinct(Address.user_id))).where(Address.last_inbound_at.between(
            now - timedelta(days=30), LATEST), *member_of(Address.user_id + 0, f)))).one()
    return {"total": total, "active_7": int(row[0]), "active_30": int(row[1]), "new": new}


async def _learner_counts_live(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    since = f.since(now)
    active = select(Address.user_id).where(Address.last_inbound_at >= now - timedelta(days=30))
    active7 = select(Address.user_id).where(Address.last_inbound_at >= now - timedelta(days=7))
    new = func.count().filter(User.created_at >= since) if since else func.count()
    query = select(func.count(), func.count().filter(User.id.in_(active7)), func.count().filter(User.id.in_(active)),
                   new).where(*learner_conditions(f))
    row = (await session.execute(query)).one()
    return {"total": row[0], "active_7": row[1], "active_30": row[2], "new": row[3]}


async def new_per_week(session: AsyncSession, f: Filters, now: datetime, weeks: int = 8) -> list[tuple[datetime, int]]:
    """New learners in each of the last ``weeks`` weeks (oldest first), keyed by the week's first moment."""
    return (await _joined(session, f, now, weeks))[1]


async def _joined(session: AsyncSession, f: Filters, now: datetime,
                  weeks: int = 8) -> tuple[int, list[tuple[datetime, int]]]:
    """Learners of ``f`` new in the period and in each of the last ``weeks`` weeks: one range of ``created_at``
    for both (the dashboard shows both; with a channel or course filter in ``listed_counts``' query), kept in
    the session for its second caller."""
    key = ("console.joined", f, now, weeks)
    if key not in session.info and (f.channel or f.course):
        session.info[key] = (await listed_counts(session, f, now, weeks))[JOINED]
    if key not in session.info:
        since, starts = f.since(now), week_starts(now, weeks)
        columns = [func.count().filter(User.created_at >= since) if since else literal(0),
                   *(func.count().filter(User.created_at >= start, User.created_at < start + timedelta(weeks=1))
                     for start in starts)]
        row = (await session.execute(select(*columns).where(
            *learner_conditions(f, True), User.created_at >= min(since or starts[0], starts[0])))).one()
        session.info[key] = (int(row[0]), list(zip(starts, (int(n) for n in row[1:]), strict=True)))
    found: tuple[int, list[tuple[datetime, int]]] = session.info[key]
    return found


async def breakdown(session: AsyncSession, f: Filters, by: str, limit: int = 12) -> list[tuple[str | None, int]]:
    """Learners per value of ``by`` (country, language, craft, channel, or an optional column), most first."""
    if by == "channel":
        query = (select(Address.channel, func.count(func.distinct(Address.user_id)))
                 .join(User, User.id == Address.user_id).where(*learner_conditions(f)).group_by(Address.channel))
    elif by in BREAKDOWNS and by in User.__table__.c:
        column = User.__table__.c[by]
        query = select(column, func.count()).where(*learner_conditions(f)).group_by(column)
    else:
        raise ValueError(f"no breakdown by {by}")
    rows: list[tuple[str | None, int]] = [(key, int(n)) for key, n in (await session.execute(query)).all()]
    return sorted(rows, key=lambda r: (-r[1], r[0] or ""))[:limit]


async def breakdowns(session: AsyncSession, f: Filters, keys: Sequence[str],
                     limit: int = 12) -> dict[str, list[tuple[str | None, int]]]:
    """``breakdown`` for several keys at once: the users table's columns in one scan (grouped by all of them,
    summed per column here), the channel in its own query."""
    snapshot = await learner_groups(session, f, [k for k in keys if k in dims()])
    if snapshot is not None:
        return {key: sorted(snapshot[key].items(), key=lambda r: (-r[1], r[0] or ""))[:limit] for key in keys}
    columns = [k for k in keys if k != "channel" and k in BREAKDOWNS and k in User.__table__.c]
    found: dict[str, dict[str | None, int]] = {k: {} for k in columns}
    if columns:
        table = [User.__table__.c[k] for k in columns]
        rows = await session.execute(select(*table, func.count()).where(*learner_conditions(f)).group_by(*table))
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
    """Lessons completed (all time), courses completed and quiz answers (right / all) in the period: daily
    summaries of closed days plus today live (``storage.console_summary``)."""
    since = f.since(now)
    lessons = sum(n.lessons for n in (await totals(session, STARTED, f, None, now)).values())
    courses = sum(n.n for n in (await totals(session, COMPLETED, f, since, now)).values())
    quiz = (await totals(session, ANSWERED, f, since, now)).values()
    answers, right = sum(n.n for n in quiz), sum(n.done for n in quiz)
    return {"lessons": int(lessons), "courses": int(courses), "answers": int(answers), "correct": int(right),
            "correct_rate": (right / answers) if answers else 0.0}


async def listing_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Listings per status (created in the period, of the filtered people)."""
    query = select(Listing.status, func.count()).group_by(Listing.status)
    since = f.since(now)
    if since:
        query = query.where(Listing.created_at.between(since, LATEST))
    if f.country:
        query = query.where(Listing.country == f.country)
    if f.channel or f.course:
        query = query.where(member(Listing.seller_id, Filters(None, None, f.channel, f.course)))
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
            query = query.where(when.between(since, LATEST))
        if filtered(f):
            query = query.where(member(table.user_id, f))
        counts[key] = int(await session.scalar(query) or 0)
    return counts


async def announcement_counts(session: AsyncSession, f: Filters, now: datetime) -> dict[str, int]:
    """Announcement messages per outbox status (written in the period)."""
    query = select(Outbox.status, func.count()).where(Outbox.broadcast_id.is_not(None)).group_by(Outbox.status)
    since = f.since(now)
    if since:
        query = query.where(Outbox.created_at.between(since, LATEST))
    if f.channel:
        query = query.where(Outbox.channel == f.channel)
    if f.country or f.course:  # many messages a learner: the list of learners once, not a probe each
        query = query.where(Outbox.user_id.in_(learner_id_list(f)))
    return {status: int(n) for status, n in (await session.execute(query)).all()}


async def activity_counts(session: AsyncSession, f: Filters, now: datetime
                          ) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """``listing_counts``, ``faq_counts`` and ``announcement_counts`` at once. With a channel or course filter
    one query (``storage.console_listed``, with the active and new learners): the tables' rows of the period
    as (what, status, user), kept when the user is in the lists of the channel's and course's learners (each
    read once), instead of a probe (or list) per table."""
    if not (f.channel or f.course):
        return (await listing_counts(session, f, now), await faq_counts(session, f, now),
                await announcement_counts(session, f, now))
    found = await listed_counts(session, f, now)
    sent = found["announcement"] if f.country or f.course else await announcement_counts(session, f, now)
    return found["listing"], found["faq"], sent


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
    conditions = learner_conditions(f)
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
             .where(*learner_conditions(f), User.id > after).order_by(User.id).limit(limit))
    return (await session.execute(query)).all()


async def progress_batch(session: AsyncSession, f: Filters, after: int, limit: int = 2000) -> Sequence[Any]:
    """One batch of (progress id, user id, course, lessons done, started, completed) rows after ``after``."""
    query = (select(LessonProgress.id, LessonProgress.user_id, LessonProgress.course_id, LessonProgress.lessons_done,
                    LessonProgress.started_at, LessonProgress.completed_at)
             .where(LessonProgress.id > after, LessonProgress.user_id.in_(learner_id_list(f)))
             .order_by(LessonProgress.id).limit(limit))
    if f.course:
        query = query.where(LessonProgress.course_id == f.course)
    return (await session.execute(query)).all()


async def report_tables(session: AsyncSession, f: Filters, now: datetime) -> dict[str, list[tuple[str, int]]]:
    """The periodic report's tables: beneficiaries (learners) by country, province, craft (and sex and age
    band when kept), courses completed per course, listings posted per country (in the period)."""
    tables: dict[str, list[tuple[str, int]]] = {}
    wanted = ["country", "province", "craft", *optional_columns()]
    snapshot = await learner_groups(session, f, wanted)
    for by in wanted:
        if snapshot is not None:
            tables[by] = sorted((" / ".join(str(k or "") for k in key) if by == "province" else str(key or ""), n)
                                for key, n in snapshot[by].items())
            continue
        column = User.__table__.c[by]
        keys = (User.country, column) if by == "province" else (column,)
        query = select(*keys, func.count()).where(*learner_conditions(f)).group_by(*keys)
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
    if courses and not f.course:  # per course for learners of a country and channel: the summaries
        found = await totals(session, COMPLETED, f, since, now)
        tables["courses_completed"] = sorted((c, n.n) for c, n in found.items() if n.n)
    elif courses:  # learners who started one course: any course they completed, live
        done = select(LessonProgress.course_id, func.count()).where(
            LessonProgress.completed_at.is_not(None), LessonProgress.user_id.in_(learner_id_list(f))).group_by(
            LessonProgress.course_id)
        if since:
            done = done.where(LessonProgress.completed_at >= since)
        tables["courses_completed"] = sorted((c, int(n)) for c, n in (await session.execute(done)).all())
    posted = select(Listing.country, func.count()).where(member(Listing.seller_id, f)).group_by(Listing.country)
    if since:
        posted = posted.where(Listing.created_at.between(since, LATEST))
    tables["listings_posted"] = sorted((c or "", int(n)) for c, n in (await session.execute(posted)).all())
    # correlated: a probe per check-in, not the list of every learner built first
    attendees = select(User.id).where(User.id == Rsvp.user_id, *learner_conditions(f)).correlate(Rsvp)
    tables["events_attended"] = await events_attended(session, attendees.scalar_subquery(), since)
    return tables

