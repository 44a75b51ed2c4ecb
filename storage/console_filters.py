"""What the console's queries share (``storage.console`` and the summaries built on it): the filters, whole
UTC days, open-ended time ranges that still use an index, the optional profile columns, a skip scan for an
indexed column's values, and the ways to say "a learner of these filters" (conditions on the users table, a
probe per row, or lists each read once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Float,
    Integer,
    MetaData,
    Select,
    Table,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from storage.db import is_postgres
from storage.models import Address, LessonProgress, Role, User

# Bounds for "from a moment on" ranges: with both, SQLite walks the timestamp's index instead of another.
EARLIEST, LATEST = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)

# Profile columns shown only when the users table has them (sex and age band come with another issue).
OPTIONAL_COLUMNS = ("sex", "age_band")


class CompletionSeconds(FunctionElement[float]):
    """``CompletionSeconds(completed_at, started_at)``: the seconds from starting a course to completing it, in
    each database's own date arithmetic. Also the expression of the index on (course, this, ...) that the
    course list's medians walk in order (``storage.console.INDEXES``): a query that orders by it must use
    this, so that its SQL is the index's."""

    name = "completion_seconds"
    inherit_cache = True
    type = Float()


def _operands(element: CompletionSeconds, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    completed, started = (compiler.process(clause, **kw) for clause in element.clauses)
    return completed, started


@compiles(CompletionSeconds, "sqlite")
def _sqlite_seconds(element: CompletionSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    completed, started = _operands(element, compiler, **kw)
    return f"(julianday({completed}) - julianday({started})) * 86400.0"


@compiles(CompletionSeconds, "postgresql")
def _postgresql_seconds(element: CompletionSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    completed, started = _operands(element, compiler, **kw)
    return f"EXTRACT(EPOCH FROM {completed} - {started})"


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


def staff() -> Select[Any]:
    """The ids of users who are not learners (a handful), by two ranges of the index on the role: ``NOT IN``
    this list is "a learner's row" for a user id column (its users exist: foreign keys), a hashed list on
    PostgreSQL instead of a hash of every learner or a probe per row."""
    return select(User.id).where(or_(User.role < Role.LEARNER, User.role > Role.LEARNER))


def member_of(column: Any, f: Filters, staff_listed: bool = True) -> list[ColumnElement[bool]]:
    """``column`` (a user id: its users exist) is a learner of ``f``: not staff, and in the list of each filter,
    each read once from a covering index (no probe per row, no crossing of the lists with the users). Not
    ``staff_listed`` (``listed_staff`` found none in the lists): the lists hold only learners, no staff test."""
    conditions: list[ColumnElement[bool]] = [column.not_in(staff())] if staff_listed else []
    if f.country:
        conditions.append(column.in_(select(User.id).where(User.country == f.country)))
    if f.channel:
        conditions.append(column.in_(select(Address.user_id).where(Address.channel == f.channel)))
    if f.course:
        conditions.append(column.in_(select(LessonProgress.user_id).where(LessonProgress.course_id == f.course)))
    return conditions


async def listed_staff(session: AsyncSession, f: Filters) -> bool:
    """Whether a user who is not a learner is in the lists of ``f``'s course and channel (and country): a probe
    per staff member (a handful). With a course, usually none: ``member_of`` then leaves out the staff test of
    each row. Kept in the session for the request's other queries."""
    key = ("console.listed_staff", f.country, f.channel, f.course)
    if key not in session.info:
        query = select(User.id).where(User.id.in_(staff()))
        if f.country:
            query = query.where(User.country == f.country)
        if f.channel:
            query = query.where(exists().where(Address.user_id == User.id, Address.channel == f.channel))
        if f.course:
            query = query.where(exists().where(LessonProgress.user_id == User.id,
                                               LessonProgress.course_id == f.course))
        session.info[key] = bool(await session.scalar(select(exists(query))))
    listed: bool = session.info[key]
    return listed


def optional_columns() -> list[str]:
    """The optional profile columns the users table has."""
    return [name for name in OPTIONAL_COLUMNS if name in User.__table__.c]


async def distinct_values(session: AsyncSession, column: Any) -> list[str]:
    """The values of an indexed column, in order: one index probe per value (a recursive "skip scan"),
    not a scan of every row."""
    seed = select(func.min(column).label("v")).where(column.is_not(None)).cte("walk", recursive=True)
    following = select(func.min(column)).where(column > seed.c.v).scalar_subquery()
    walk = seed.union_all(select(following).where(seed.c.v.is_not(None)).select_from(seed))
    return [v for v in (await session.scalars(select(walk.c.v).where(walk.c.v.is_not(None)))).all()]


def learner_conditions(f: Filters, by_range: bool = False) -> list[ColumnElement[bool]]:
    """Learners of ``f``; ``by_range``: a range of ``created_at`` drives, the lists probed with ``id + 0``."""
    conditions: list[ColumnElement[bool]] = [User.role == Role.LEARNER]
    probe = User.id + 0 if by_range else User.id  # else SQLite walks a list and looks each id up
    if f.country:
        conditions.append(User.country == f.country)
    if f.channel:
        conditions.append(probe.in_(select(Address.user_id).where(Address.channel == f.channel)))
    if f.course:
        conditions.append(probe.in_(select(LessonProgress.user_id).where(LessonProgress.course_id == f.course)))
    return conditions


def member(column: Any, f: Filters) -> ColumnElement[bool]:
    """``column`` (a user id) is a learner of ``f``: a probe per row of the caller's table, whose own index
    (a period) drives the query, rather than the list of every learner."""
    conditions: list[ColumnElement[bool]] = [User.id == column, User.role == Role.LEARNER]
    if f.country:
        conditions.append(User.country == f.country)
    if f.channel:
        conditions.append(exists().where(Address.user_id == User.id, Address.channel == f.channel))
    if f.course:
        conditions.append(exists().where(LessonProgress.user_id == User.id, LessonProgress.course_id == f.course))
    return exists().where(*conditions)


def filtered(f: Filters) -> bool:
    """Whether ``f`` narrows the learners (a country, channel or course)."""
    return bool(f.country or f.channel or f.course)


def learner_id_list(f: Filters) -> Any:
    """The ids of ``f``'s learners, as a subquery (for ``IN``)."""
    return select(User.id).where(*learner_conditions(f)).scalar_subquery()


# A temporary table (SQLite): the ids of one request's learners, for queries that test them in several places.
LISTED = Table("console_learners", MetaData(), Column("id", Integer, primary_key=True), schema="temp")


async def listed_learner(session: AsyncSession, column: Any, f: Filters) -> ColumnElement[bool]:
    """``column`` (a user id) is a learner of ``f``'s country and channel (not staff), by a list of their ids
    made once for the request, for queries that test it in several places (an arm per course); with neither
    filter, "not staff". SQLite would list an ``IN`` subquery anew in each arm (6 ms for 30,000 ids), so there
    the ids go into a temporary table of the connection (no lock on the database file; emptied when the
    request's read session rolls back), probed by its key. PostgreSQL hashes the subquery (from the index
    alone); sent as an array (``= ANY``) the ids were searched one by one, a parameter not being hashed."""
    if not (f.country or f.channel):
        return column.not_in(staff())
    ids = select(User.id).where(User.id.not_in(staff()))
    if f.country:
        ids = ids.where(User.country == f.country)
    if f.channel:
        ids = ids.where(User.id.in_(select(Address.user_id).where(Address.channel == f.channel)))
    if is_postgres(session):
        return column.in_(ids)
    await session.connection()  # made for these filters in this transaction (a rollback empties the table)
    key, made = "console.learner_list", (f.country, f.channel, id(session.sync_session.get_transaction()))
    if session.info.get(key) != made:
        await session.execute(CreateTable(LISTED, if_not_exists=True))
        await session.execute(delete(LISTED))
        await session.execute(insert(LISTED).from_select(["id"], ids))
        session.info[key] = made
    return column.in_(select(LISTED.c.id))
