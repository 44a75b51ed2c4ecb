"""The dashboard's counts of rows of the learners in the lists of a channel or course filter, in one query:
listings, FAQ answers, misses and tickets, announcement messages (in the period), learners active in the
last 7 and 30 days and learners who joined in the period and in each of the last weeks. Each table's rows
come from its own index range as (what, status, user), and are kept when the user is in the lists of the
channel's and course's learners: each list read once for all of them (the course's is most learners: 80,000
ids at 100,000 learners, 10 ms to read on SQLite, read three times when each count was its own query)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, func, literal, null, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.console_filters import LATEST, Filters, day_start, listed_staff, member_of
from storage.db import is_postgres
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, Outbox, Role, User

FAQ = ("answered", "missed", "handed_over")
LISTING = len(FAQ)  # the arms' codes: the FAQ tables, the listings, the announcements if counted here
ACTIVE, JOINED = "active", "joined"


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
    tables: list[tuple[Any, Any, Any]] = [
        (FaqAnswer, FaqAnswer.user_id, None), (FaqUnanswered, FaqUnanswered.user_id, None),
        (FaqTicket, FaqTicket.user_id, None), (Listing, Listing.seller_id, Listing.status)]
    if f.country or f.course:
        tables.append((Outbox, Outbox.user_id, Outbox.status))
    arms = []
    for code, (table, user, status) in enumerate(tables):
        arm = select(literal(code).label("what"), (null() if status is None else status).cast(String).label("status"),
                     user.label("user_id")).select_from(table)
        if since:
            arm = arm.where(table.created_at.between(since, LATEST))
        if table is Listing and f.country:  # the listing's own country, not its seller's
            arm = arm.where(Listing.country == f.country)
        if table is Outbox:
            arm = arm.where(Outbox.broadcast_id.is_not(None), *([Outbox.channel == f.channel] if f.channel else []))
        arms.append(arm)
    active, joined = len(tables), len(tables) + 1
    week = now - timedelta(days=7)  # a learner once, "7" when one of their addresses wrote in the last 7 days
    arms.append(select(literal(active), case((func.max(Address.last_inbound_at) >= week, "7"), else_="30"),
                       Address.user_id).where(Address.last_inbound_at.between(now - timedelta(days=30), LATEST))
                .group_by(Address.user_id))
    # Learners who joined since the period's or the first week's start, by interval between the boundaries
    # (each interval in or out of the period and of each week); most are before the second boundary.
    bounds = sorted({*([since] if since else []), *starts, starts[-1] + timedelta(weeks=1)})
    interval = case(*((User.created_at < b, str(i)) for i, b in enumerate(bounds[1:])), else_=str(len(bounds) - 1))
    arms.append(select(literal(joined), interval, User.id).where(User.role == Role.LEARNER,
                                                                 User.created_at.between(bounds[0], LATEST)))
    rows = union_all(*arms).subquery()
    listed = member_of(rows.c.user_id, Filters(None, None, f.channel, f.course), await staff_test(session, f))
    if f.country:  # the list of the country's people once, for the rows other than listings
        listed.append(or_(rows.c.what == LISTING, rows.c.user_id.in_(select(User.id).where(User.country == f.country))))
    query = select(rows.c.what, rows.c.status, func.count()).where(*listed).group_by(rows.c.what, rows.c.status)
    found: dict[str, Any] = {"listing": {}, "announcement": {}, "faq": dict.fromkeys(FAQ, 0),
                             ACTIVE: {"7": 0, "30": 0}}
    per_interval: dict[int, int] = {}
    for code, status, n in (await session.execute(query)).all():
        if code < LISTING:
            found["faq"][FAQ[code]] = int(n)
        elif code == active:
            found[ACTIVE][status] = int(n)
        elif code == joined:
            per_interval[int(status)] = int(n)
        else:
            found["listing" if code == LISTING else "announcement"][status] = int(n)
    found[ACTIVE]["30"] += found[ACTIVE]["7"]
    starting = [(bounds[i], n) for i, n in per_interval.items()]  # each interval's first moment
    found[JOINED] = (sum(n for start, n in starting if start >= since) if since else 0,
                     [(s, sum(n for start, n in starting if s <= start < s + timedelta(weeks=1))) for s in starts])
    return found
