"""The dashboard's counts of rows of the learners in the lists of a channel or course filter: listings,
FAQ answers, misses and tickets, announcement messages (in the period), learners active in the last 7 and
30 days and learners who joined in the period and in each of the last weeks.

From the tables, in one query: each table's rows come from its own index range as (what, status, user), and
are kept when the user is in the lists of the channel's and course's learners, each list read once for all
of them (the course's is most learners: 80,000 ids at 100,000 learners). That tests every row of the period
(190,000 in a year at 100,000 learners: 0.2-0.3 s on SQLite), so while the kept counts
(``storage.console_listed_summary``) are current and hold the filter's learners, the days before their
boundary come from them, and only three things from the tables: the rows since the boundary, the rows before
it of the learners who started the course since (by their ids), and the active learners."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, case, exists, func, literal, null, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.console_filters import EARLIEST, LATEST, Filters, day_start, listed_staff, member_of, staff
from storage.console_learners import LearnerSnapshot
from storage.console_listed_summary import ANNOUNCEMENT, COUNTED, FAQ, LISTED, LISTING, has_slice, summed
from storage.console_listed_summary import JOINED as JOINED_KIND
from storage.db import is_postgres
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, Role, User

# The arms' codes: the counted tables' positions in ``COUNTED``, then the active and the new learners.
LISTING_CODE, ACTIVE_CODE, JOINED_CODE = [kind for kind, *_ in COUNTED].index(LISTING), len(COUNTED), len(COUNTED) + 1
ACTIVE, JOINED = "active", "joined"
MAX_STARTERS = 1_000  # learners who started the course since the kept counts' boundary, looked up by id


def week_starts(now: datetime, weeks: int) -> list[datetime]:
    """The first moments of the last ``weeks`` seven-day weeks (whole UTC days, the last one ends today)."""
    end = day_start(now) + timedelta(days=1)
    return [end - timedelta(weeks=weeks - i) for i in range(weeks)]


async def staff_test(session: AsyncSession, f: Filters) -> bool:
    """Whether staff may be in the lists of ``f``'s channel and course (``member_of``'s staff test needed)."""
    return await listed_staff(session, Filters(None, None, f.channel, f.course)) if f.channel or f.course else True


async def listed_counts(session: AsyncSession, f: Filters, now: datetime, weeks: int = 8) -> dict[str, Any]:
    """For a channel or course filter: ``listing`` and ``announcement`` (per status; announcements only with a
    country or course: else the channel's messages are counted by themselves), ``faq`` (answered, missed,
    handed over), ``active`` (7 and 30 days), ``joined`` (in the period, or 0 for all time, and per week of the
    last ``weeks``: (first moment, learners)). Kept in the session for the dashboard's other callers."""
    key = ("console.listed", f, now, weeks)
    if key not in session.info:
        if is_postgres(session):  # planned for its values: a generic plan (the statement's sixth run on a
            # connection) guesses a few rows per range and probes the course's index 190,000 times (0.23 s)
            await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.info[key] = await _count(session, f, now, weeks)
    found: dict[str, Any] = session.info[key]
    return found


async def _count(session: AsyncSession, f: Filters, now: datetime, weeks: int) -> dict[str, Any]:
    since, starts = f.since(now), week_starts(now, weeks)
    # Learners who joined since the period's or the first week's start, by interval between the boundaries
    # (each interval in or out of the period and of each week); most are before the second boundary.
    bounds = sorted({*([since] if since else []), *starts, starts[-1] + timedelta(weeks=1)})
    tally = _Tally(bounds)
    boundary = await _kept(session, f)
    starters = await _starters(session, f, boundary) if boundary and f.course else []
    if boundary is None or starters is None:
        tally.add_rows(await _live(session, f, now, since, bounds))
    else:  # the kept days before the boundary, the rows since, and those before of who started the course since
        tally.add_summed(await summed(session, f, since, bounds[0], boundary))
        tally.add_rows(await _live(session, f, now, since, bounds, start=boundary))
        if starters:
            tally.add_rows(await _live(session, f, now, since, bounds, end=boundary, users=starters))
    return tally.result(since, starts)


async def _kept(session: AsyncSession, f: Filters) -> datetime | None:
    """The boundary of the kept counts (``storage.console_listed_summary``) if they are current and hold ``f``'s
    learners."""
    if not has_slice(f):
        return None
    found: datetime | None = await session.scalar(select(LearnerSnapshot.boundary).where(
        LearnerSnapshot.id == LISTED, LearnerSnapshot.summarised == LearnerSnapshot.version))
    return found


async def _starters(session: AsyncSession, f: Filters, boundary: datetime) -> list[int] | None:
    """The learners who started ``f``'s course since ``boundary`` (not in the kept lists), or ``None`` when
    there are more than ``MAX_STARTERS`` (then everything is counted live)."""
    query = select(LessonProgress.user_id).where(LessonProgress.started_at.between(boundary, LATEST),
                                                 LessonProgress.course_id == f.course,
                                                 LessonProgress.user_id.not_in(staff())).limit(MAX_STARTERS + 1)
    found = list((await session.scalars(query)).all())
    return None if len(found) > MAX_STARTERS else found


async def _live(session: AsyncSession, f: Filters, now: datetime, since: datetime | None, bounds: list[datetime],
                start: datetime | None = None, end: datetime | None = None,
                users: list[int] | None = None) -> list[tuple[int, str | None, int]]:
    """(code, status, rows) from the tables: rows created from ``start`` (and the period's start) until ``end``;
    of ``users`` only when given (learners of the course: then by the users' index, and no active learners).
    The learners active in the last 7 and 30 days are counted when ``end`` is not given."""
    lo, hi = max(since or EARLIEST, start or EARLIEST), end or LATEST

    def created(column: Any) -> Any:  # of given users: an expression, so the users' index drives, not the time's
        return column if users is None else func.coalesce(column, column)

    arms = []
    for code, (_, table, user, status) in enumerate(_tables(f)):
        arm = select(literal(code).label("what"), (null() if status is None else status).cast(String).label("status"),
                     user.label("user_id")).select_from(table).where(created(table.created_at) >= lo,
                                                                     created(table.created_at) < hi)
        if table is Listing and f.country:  # the listing's own country, not its seller's
            arm = arm.where(Listing.country == f.country)
        if table is Outbox:
            arm = arm.where(Outbox.broadcast_id.is_not(None), *([Outbox.channel == f.channel] if f.channel else []))
        arms.append(arm.where(user.in_(users)) if users is not None else arm)
    if end is None:
        week = now - timedelta(days=7)  # a learner once, "7": an address wrote in the last 7 days
        arms.append(select(literal(ACTIVE_CODE), case((func.max(Address.last_inbound_at) >= week, "7"), else_="30"),
                           Address.user_id).where(Address.last_inbound_at.between(now - timedelta(days=30), LATEST))
                    .group_by(Address.user_id))
    interval = case(*((User.created_at < b, str(i)) for i, b in enumerate(bounds[1:])), else_=str(len(bounds) - 1))
    joined = select(literal(JOINED_CODE), interval, User.id).where(
        User.role == Role.LEARNER, created(User.created_at) >= max(bounds[0], start or EARLIEST),
        created(User.created_at) < hi)
    arms.append(joined.where(User.id.in_(users)) if users is not None else joined)
    rows = union_all(*arms).subquery()
    if users is None:
        listed = member_of(rows.c.user_id, Filters(None, None, f.channel, f.course), await staff_test(session, f))
    else:  # the users are learners of the course
        listed = member_of(rows.c.user_id, Filters(None, None, f.channel, None), False)
    if f.country:  # the rows other than listings: the country's people listed once (given users: a few rows,
        # a probe each instead of a list of the country's 30,000)
        country = (rows.c.user_id.in_(select(User.id).where(User.country == f.country)) if users is None else
                   exists().where(User.id == rows.c.user_id, User.country == f.country))
        listed.append(or_(rows.c.what == LISTING_CODE, country))
    query = select(rows.c.what, rows.c.status, func.count()).where(*listed).group_by(rows.c.what, rows.c.status)
    return [(int(code), status, int(n)) for code, status, n in (await session.execute(query)).all()]


def _tables(f: Filters) -> list[tuple[str, Any, Any, Any]]:
    """The counted tables (``COUNTED``, in the order of their codes), announcements only with a country or
    course (else the channel's messages are counted by themselves)."""
    return [counted for counted in COUNTED if counted[0] != ANNOUNCEMENT or f.country or f.course]


class _Tally:
    """The counts as they come: from the tables (codes) and from the kept days (kinds), learners who joined
    per interval between ``bounds``."""

    def __init__(self, bounds: list[datetime]) -> None:
        self.bounds = bounds
        self.found: dict[str, Any] = {"listing": {}, "announcement": {}, "faq": dict.fromkeys(FAQ, 0),
                                      ACTIVE: {"7": 0, "30": 0}}
        self.per_interval: Counter[int] = Counter()

    def add_rows(self, rows: list[tuple[int, str | None, int]]) -> None:
        for code, status, n in rows:
            if code == ACTIVE_CODE:
                self.found[ACTIVE][str(status)] += n
            elif code == JOINED_CODE:
                self.per_interval[int(str(status))] += n
            else:
                self._add(COUNTED[code][0], status or "", n)

    def add_summed(self, rows: list[tuple[str, str, str, int]]) -> None:
        for what, status, day, n in rows:
            if what == JOINED_KIND:
                moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
                self.per_interval[bisect_right(self.bounds, moment) - 1] += n
            else:
                self._add(what, status, n)

    def _add(self, what: str, status: str, n: int) -> None:
        if what in FAQ:
            self.found["faq"][what] += n
        else:
            self.found[what][status] = self.found[what].get(status, 0) + n

    def result(self, since: datetime | None, starts: list[datetime]) -> dict[str, Any]:
        found = self.found
        found[ACTIVE]["30"] += found[ACTIVE]["7"]
        starting = [(self.bounds[i], n) for i, n in self.per_interval.items()]  # each interval's first moment
        found[JOINED] = (sum(n for start, n in starting if start >= since) if since else 0,
                         [(s, sum(n for start, n in starting if s <= start < s + timedelta(weeks=1))) for s in starts])
        return found
