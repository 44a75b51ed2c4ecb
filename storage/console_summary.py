"""Daily summaries of the console's learning numbers (issue 15): what the dashboard, the report and the
course list add up over the million progress rows, kept per closed UTC day so a page reads a few thousand
summary rows instead.

Three kinds of day, each grouped by course, the learner's country and channel (one row per channel the
learner has an address on, and one with channel ``*`` for "any channel"): ``started`` (progress rows by
``started_at``: rows, of them completed, lessons done), ``completed`` (progress rows by ``completed_at``)
and ``answered`` (quiz answers by ``answered_at``: answers, right ones; the course is ``''`` when the
learner has no progress row for it, which only the course filter tells apart). Learners only (role).

Exactness. A day is *summarised* when its marker row (``console_summary_days``) has ``summarised ==
version``. Database triggers (``storage.console_summary_sql``) add one to ``version`` of every marked
day a change touches: a late row, progress on an old row, a deletion (restart, erasure), a learner's role,
country or addresses changing. Pages add the summaries of summarised days to a live query of every other
day (today, days not summarised yet, days changed since), so a number is the live one whatever the state of
the summaries (``tests/storage/test_console_summary.py``). ``refresh`` (the ``console-summaries`` job)
marks the days that closed, then summarises each stale day in its own short transaction.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.console_filters import EARLIEST, LATEST, Filters, day_start, distinct_values, staff
from storage.db import Database
from storage.models import Address, Base, LessonProgress, QuizAnswer, Role, User

STARTED, COMPLETED, ANSWERED = "started", "completed", "answered"
KINDS = (STARTED, COMPLETED, ANSWERED)
ANY = "*"  # the channel of the "any channel" rows
MAX_RANGES = 40  # more separate stretches of days to query live than this: the whole period live
SETTLE_TIMEOUT = 30.0  # seconds to wait (PostgreSQL) for transactions older than new markers


class SummaryDay(Base):
    """One closed UTC day: bumped by triggers (``version``), summarised as of ``summarised``."""

    __tablename__ = "console_summary_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    version: Mapped[int] = mapped_column(Integer, default=0)
    summarised: Mapped[int | None] = mapped_column(Integer)


class SummaryRow(Base):
    """One day's numbers of one kind for one course, country and channel."""

    __tablename__ = "console_summary"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # '' for none
    course_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)  # started: completed since; answered: right
    lessons: Mapped[int] = mapped_column(Integer)  # started: lessons done


class SummaryMonth(Base):
    """A closed month rolled up from its days (rows of kind ``MONTH[kind]``, day ``YYYY-MM``), valid while
    its days are current and the sum of their versions is still ``fingerprint``."""

    __tablename__ = "console_summary_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    fingerprint: Mapped[int] = mapped_column(Integer)


MONTH = {kind: kind.upper() for kind in KINDS}


@dataclass(frozen=True)
class Numbers:
    n: int = 0
    done: int = 0
    lessons: int = 0

    def __add__(self, other: Numbers) -> Numbers:
        return Numbers(self.n + other.n, self.done + other.done, self.lessons + other.lessons)


Range = tuple[datetime | None, datetime | None]  # [start, end) of a timestamp, open ends as None


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _source(kind: str) -> tuple[Any, Any, Any, list[ColumnElement[Any]]]:
    """The table, its timestamp, its course column and measures (n, done, lessons) for ``kind``."""
    if kind == ANSWERED:
        started = exists().where(LessonProgress.user_id == QuizAnswer.user_id,
                                 LessonProgress.course_id == QuizAnswer.course_id)
        course = case((started, QuizAnswer.course_id), else_=literal(""))
        return QuizAnswer, QuizAnswer.answered_at, course, [
            func.count(), func.count().filter(QuizAnswer.correct.is_(True)), literal(0)]
    if kind == STARTED:
        return LessonProgress, LessonProgress.started_at, LessonProgress.course_id, [
            func.count(), func.count(LessonProgress.completed_at),
            func.coalesce(func.sum(LessonProgress.lessons_done), 0)]
    return LessonProgress, LessonProgress.completed_at, LessonProgress.course_id, [
        func.count(), literal(0), literal(0)]


def _within(ts: Any, stretch: Range) -> ColumnElement[bool]:
    """Both bounds always: SQLite then walks the timestamp's index rather than sorting by another."""
    return and_(ts >= (stretch[0] or EARLIEST), ts < (stretch[1] or LATEST))


def _learner(table: Any, country: str | None = None) -> ColumnElement[bool]:
    """The row is a learner's (of ``country``: a probe per row, so the timestamp's index drives the query;
    of any country: not one of the few staff)."""
    if not country:
        return table.user_id.not_in(staff())
    return exists().where(User.id == table.user_id, User.role == Role.LEARNER, User.country == country)


async def live(session: AsyncSession, kind: str, f: Filters, ranges: list[Range]) -> dict[str, Numbers]:
    """Per course: ``kind``'s numbers for learners of ``f`` (country, channel, course) within ``ranges``,
    straight from the rows."""
    table, ts, course, measures = _source(kind)
    found: dict[str, Numbers] = {}
    for stretch in ranges:  # one query each: an OR of ranges would not use the index on SQLite
        query = select(course, *measures).where(_within(ts, stretch), _learner(table, f.country)).group_by(course)
        if f.channel:
            query = query.where(exists().where(Address.user_id == table.user_id, Address.channel == f.channel))
        if f.course:
            query = query.where(course == f.course)
        for c, n, d, les in (await session.execute(query)).all():
            found[c] = found.get(c, Numbers()) + Numbers(int(n), int(d), int(les))
    return found


async def day_rows(session: AsyncSession, day: date) -> tuple[int | None, list[dict[str, Any]]]:
    """A closed day's summary rows as the rows are now, and the marker's version read before them (``None``:
    no marker). Reads only: on SQLite no write lock is held meanwhile."""
    key = day.isoformat()
    version = await session.scalar(select(SummaryDay.version).where(SummaryDay.day == key))
    if version is None:
        return None, []
    stretch: Range = (_moment(day), _moment(day + timedelta(days=1)))
    rows: list[dict[str, Any]] = []
    channels = await distinct_values(session, Address.channel)
    for kind in KINDS:
        table, ts, course, measures = _source(kind)
        country = (select(func.coalesce(User.country, "")).where(User.id == table.user_id)
                   .scalar_subquery().label("country"))
        for channel in (ANY, *channels):
            query = select(country, course, *measures).where(_within(ts, stretch), _learner(table)).group_by(
                country, course)
            if channel != ANY:
                query = query.where(exists().where(Address.user_id == table.user_id, Address.channel == channel))
            rows += [{"kind": kind, "channel": channel, "day": key, "country": c, "course_id": course_id,
                      "n": int(n), "done": int(done), "lessons": int(lessons)}
                     for c, course_id, n, done, lessons in (await session.execute(query)).all()]
    return version, rows


async def write_day(session: AsyncSession, day: date, version: int | None, rows: list[dict[str, Any]]) -> bool:
    """Store ``day_rows``' result if the day's marker still has that version (locked until the transaction
    ends, so a trigger firing meanwhile waits and then marks the day stale); else leave the day stale."""
    key = day.isoformat()
    await session.execute(delete(SummaryRow).where(SummaryRow.day == key))  # SQLite: takes the write lock
    current = await session.scalar(select(SummaryDay.version).where(SummaryDay.day == key).with_for_update())
    if current is None or current != version:
        return False
    for i in range(0, len(rows), 1000):
        await session.execute(insert(SummaryRow), rows[i:i + 1000])
    await session.execute(update(SummaryDay).where(SummaryDay.day == key).values(summarised=version))
    return True


async def summarise_day(db: Database, day: date) -> bool:
    """Summarise one closed day: compute in a read transaction, write in a short one."""
    async with db.read() as session:
        version, rows = await day_rows(session, day)
    async with db.transaction() as session:
        return await write_day(session, day, version, rows)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


async def _first_day(session: AsyncSession) -> date | None:
    firsts = [await session.scalar(select(func.min(ts))) for ts in
              (LessonProgress.started_at, LessonProgress.completed_at, QuizAnswer.answered_at)]
    found = [moment for moment in firsts if moment is not None]
    return min(found).astimezone(UTC).date() if found else None


async def settle(db: Database) -> bool:
    """PostgreSQL: wait until every transaction that was running when the new markers were committed has
    ended (one may have changed a row of a marked day before its trigger could see the marker)."""
    async with db.read() as session:
        horizon = int(await session.scalar(select(func.pg_snapshot_xmax(func.pg_current_snapshot())
                                                  .cast(String).cast(BigInteger))) or 0)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        async with db.read() as session:
            oldest = int(await session.scalar(select(func.pg_snapshot_xmin(func.pg_current_snapshot())
                                                     .cast(String).cast(BigInteger))) or 0)
        if oldest >= horizon:
            return True
        await asyncio.sleep(0.05)
    return False


async def refresh(db: Database, now: datetime) -> int:
    """Mark the days that closed since the first row, then summarise each stale closed day (newest first),
    one short transaction each. Returns how many days were summarised."""
    today = day_start(now).date()
    async with db.read() as session:
        first = await _first_day(session)
        known = set((await session.scalars(select(SummaryDay.day))).all())
    missing = [d.isoformat() for d in _days(first, today - timedelta(days=1))] if first and first < today else []
    missing = [d for d in missing if d not in known]
    if missing:
        async with db.transaction() as session:
            for i in range(0, len(missing), 500):
                await session.execute(insert(SummaryDay), [{"day": d, "version": 0} for d in missing[i:i + 500]])
        if not db.is_sqlite and not await settle(db):  # SQLite has one writer at a time: nothing in flight
            return 0
    async with db.read() as session:
        stale = (await session.scalars(select(SummaryDay.day).where(
            SummaryDay.day < today.isoformat(),
            or_(SummaryDay.summarised.is_(None), SummaryDay.summarised != SummaryDay.version))
            .order_by(SummaryDay.day.desc()))).all()
    for key in stale:
        await summarise_day(db, date.fromisoformat(key))
    async with db.read() as session:
        rolled = dict((await session.execute(select(SummaryMonth.month, SummaryMonth.fingerprint))).all())
        month_of = func.substr(SummaryDay.day, literal_column("1"), literal_column("7"))  # same SQL twice
        months = (await session.execute(select(
            month_of, func.sum(SummaryDay.version), func.count(),
            func.count().filter(SummaryDay.summarised == SummaryDay.version)).group_by(month_of))).all()
    for month, versions, days, current in months:
        if days == current == len(_month_days(month)) and _month_days(month)[-1] < today \
                and rolled.get(month) != versions:
            async with db.transaction() as session:
                await roll_up(session, month)
    return len(stale)


def _month_days(month: str) -> list[date]:
    first = date.fromisoformat(month + "-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return _days(first, following - timedelta(days=1))


async def roll_up(session: AsyncSession, month: str) -> bool:
    """Sum a closed month's day rows into month rows, if every day of it is current (locked meanwhile)."""
    days = _month_days(month)
    found = (await session.execute(select(SummaryDay.version, SummaryDay.summarised).where(
        SummaryDay.day.between(days[0].isoformat(), days[-1].isoformat())).with_for_update())).all()
    if len(found) != len(days) or any(version != done for version, done in found):
        return False
    await session.execute(delete(SummaryRow).where(SummaryRow.kind.in_(MONTH.values()), SummaryRow.day == month))
    await session.execute(delete(SummaryMonth).where(SummaryMonth.month == month))
    columns = ["kind", "channel", "day", "country", "course_id", "n", "done", "lessons"]
    for kind, rolled in MONTH.items():
        query = (select(literal(rolled), SummaryRow.channel, literal(month), SummaryRow.country, SummaryRow.course_id,
                        func.sum(SummaryRow.n), func.sum(SummaryRow.done), func.sum(SummaryRow.lessons))
                 .where(SummaryRow.kind == kind, SummaryRow.day.between(days[0].isoformat(), days[-1].isoformat()))
                 .group_by(SummaryRow.channel, SummaryRow.country, SummaryRow.course_id))
        await session.execute(insert(SummaryRow).from_select(columns, query))
    session.add(SummaryMonth(month=month, fingerprint=sum(version for version, _ in found)))
    return True


async def _plan(session: AsyncSession, since: datetime | None, now: datetime
                ) -> tuple[list[str], list[tuple[str, str]], list[Range]]:
    """The rolled-up months, the stretches of other summarised days (first and last day, inclusive) in
    [since, today) and the timestamp ranges to query live (every other moment from ``since`` on)."""
    today = day_start(now).date()
    query = select(SummaryDay.day, SummaryDay.version).where(
        SummaryDay.summarised == SummaryDay.version, SummaryDay.day < today.isoformat()).order_by(SummaryDay.day)
    if since is not None:
        query = query.where(SummaryDay.day >= since.date().isoformat())
    versions = {date.fromisoformat(d): v for d, v in (await session.execute(query)).all()}
    months = []
    for month, fingerprint in (await session.execute(select(SummaryMonth.month, SummaryMonth.fingerprint))).all():
        inside = _month_days(month)
        if all(d in versions for d in inside) and sum(versions[d] for d in inside) == fingerprint:
            months.append(month)
    in_months = {d for m in months for d in _month_days(m)}
    live_runs = _runs(list(versions), since)
    runs = [(a.isoformat(), b.isoformat()) for a, b in _runs([d for d in versions if d not in in_months], since)[0]]
    if len(live_runs[1]) > MAX_RANGES:
        return [], [], [(since, None)]
    return months, runs, live_runs[1]


def _runs(days: list[date], since: datetime | None) -> tuple[list[tuple[date, date]], list[Range]]:
    """Consecutive days as (first, last) stretches, and the moments from ``since`` on outside them."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1][1] = day
        else:
            runs.append([day, day])
    gaps: list[Range] = []
    cursor: datetime | None = since
    for first, last in runs:
        if cursor is None or cursor < _moment(first):
            gaps.append((cursor, _moment(first)))
        cursor = _moment(last + timedelta(days=1))
    gaps.append((cursor, None))
    return [(a, b) for a, b in runs], gaps


async def totals(session: AsyncSession, kind: str, f: Filters, since: datetime | None,
                 now: datetime) -> dict[str, Numbers]:
    """Per course: ``kind``'s numbers from ``since`` (``None``: all time) for learners of ``f``, the summaries
    of summarised days plus a live query of the rest. Equal to ``live(session, kind, f, [(since, None)])``."""
    months, runs, gaps = await _plan(session, since, now)
    found: dict[str, Numbers] = {}
    parts = [(kind, SummaryRow.day.between(a, b)) for a, b in runs]
    parts += [(MONTH[kind], SummaryRow.day.in_(months))] if months else []
    for stored, days in parts:
        query = (select(SummaryRow.course_id, func.sum(SummaryRow.n), func.sum(SummaryRow.done),
                        func.sum(SummaryRow.lessons))
                 .where(SummaryRow.kind == stored, SummaryRow.channel == (f.channel or ANY), days)
                 .group_by(SummaryRow.course_id))
        if f.country:
            query = query.where(SummaryRow.country == f.country)
        if f.course:
            query = query.where(SummaryRow.course_id == f.course)
        for course, n, done, lessons in (await session.execute(query)).all():
            found[course] = found.get(course, Numbers()) + Numbers(int(n or 0), int(done or 0), int(lessons or 0))
    for course, numbers in (await live(session, kind, f, gaps)).items():
        found[course] = found.get(course, Numbers()) + numbers
    return found
