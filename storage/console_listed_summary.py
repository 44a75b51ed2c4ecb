"""The dashboard's counts of rows for a channel or course filter (``storage.console_listed``), kept per day:
listings (per status), FAQ questions answered, missed and handed over, announcement messages (per status) and
learners who joined, of the learners in the lists of a course, a channel and a country (any two of them), as
the lists were at a day boundary.

Part ``LISTED`` of the learner snapshot (``storage.console_learners``, row 3 of ``console_learner_snapshot``):
the groups count the rows created before its ``boundary``, each under every course its learner had started
before the boundary (and ``*``), every channel they have an address on (and ``*``; an announcement message
only under its own channel) and their country (and ``*``; a listing: its own country), for any two of the
three filters (``has_slice``). They are used while the part is current (``summarised == version``).
Triggers (``storage.console_listed_sql``, migration 0023) add one to its version when a row of these tables
created before the boundary is inserted, changed or deleted, or a progress row started before it is (a
start, a restart, an erasure); and the learner snapshot's triggers do when a learner who joined before it
changes role, country or addresses. Pages add the rows since the boundary, and the rows before it of the
learners who started the course since, from the tables."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.console_filters import Filters
from storage.db import Database, is_postgres
from storage.faq import FaqAnswer, FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Base, Outbox, Role, User

LISTED = 3  # the learner snapshot's part of these groups
ANY = "*"
LISTING, ANNOUNCEMENT, JOINED = "listing", "announcement", "joined"
# The counted tables: (kind, table, user column, status column or None); their positions are the codes of the
# tables' arms in ``storage.console_listed`` (announcements last: some filters count them by themselves).
COUNTED: tuple[tuple[str, Any, Any, Any], ...] = (
    ("answered", FaqAnswer, FaqAnswer.user_id, None), ("missed", FaqUnanswered, FaqUnanswered.user_id, None),
    ("handed_over", FaqTicket, FaqTicket.user_id, None), (LISTING, Listing, Listing.seller_id, Listing.status),
    (ANNOUNCEMENT, Outbox, Outbox.user_id, Outbox.status))
FAQ = tuple(kind for kind, _, _, status in COUNTED if status is None)
BATCH = 10_000  # rows read at a time
WRITE_BATCH = 5_000  # rows written in one transaction


class ListedGroup(Base):
    """Rows of one kind (``what``) and status created on one UTC day by the learners of a course, channel and
    country filter (each ``*`` for any)."""

    __tablename__ = "console_listed_groups"

    course: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD
    what: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)  # '' when the kind has none
    n: Mapped[int] = mapped_column(Integer)


def has_slice(f: Filters) -> bool:
    """Whether the groups hold ``f``'s learners: any two of course, channel and country, not all three."""
    return not (f.course and f.country and f.channel)


def day_of(session: AsyncSession, column: Any) -> Any:
    """The UTC day (YYYY-MM-DD) of a timestamp column, in SQL."""
    if is_postgres(session):
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD", type_=String)
    return func.substr(column, 1, 10, type_=String)  # SQLite keeps UTC text


def _sources(session: AsyncSession, boundary: datetime) -> list[tuple[str, Any]]:
    """(kind, query of (day, user, status, country, channel)) for each table's rows before ``boundary``."""
    found: list[tuple[str, Any]] = []
    for what, table, user, status in COUNTED:
        query = select(day_of(session, table.created_at), user, literal("") if status is None else status,
                       Listing.country if table is Listing else literal(None),
                       Outbox.channel if table is Outbox else literal(None)).where(table.created_at < boundary,
                                                                                     user.is_not(None))
        found.append((what, query.where(Outbox.broadcast_id.is_not(None)) if table is Outbox else query))
    found.append((JOINED, select(day_of(session, User.created_at), User.id, literal(""), literal(None),
                                 literal(None)).where(User.created_at < boundary, User.role == Role.LEARNER)))
    return found


async def listed_rows(session: AsyncSession, boundary: datetime, masks: dict[int, int], courses: list[str],
                      channels: dict[int, set[str]]) -> list[dict[str, Any]]:
    """Every group of the part as of ``boundary``: ``masks`` and ``courses`` are each learner's courses started
    before it (``storage.console_learners``), ``channels`` their channels. Read in batches, counted in Python
    (a grouped query per course and channel would read every table a dozen times)."""
    countries = dict((await session.execute(select(User.id, User.country).where(User.role == Role.LEARNER))).all())
    found: Counter[tuple[str, ...]] = Counter()
    spread: dict[int, list[str]] = {}
    for what, query in _sources(session, boundary):
        result = await session.stream(query)
        async for part in result.partitions(BATCH):
            await asyncio.to_thread(_count, what, part, countries, masks, courses, channels, spread, found)
    return [{"course": course, "channel": channel, "country": country, "day": day, "what": what, "status": status,
             "n": n} for (course, channel, country, day, what, status), n in found.items()]


def _count(what: str, rows: Any, countries: dict[int, str | None], masks: dict[int, int], courses: list[str],
           channels: dict[int, set[str]], spread: dict[int, list[str]], found: Counter[tuple[str, ...]]) -> None:
    for day, user, status, place, channel in rows:
        if user not in countries:  # staff
            continue
        own = channels.get(user, set())
        keys = [ANY, *(c for c in own if c == channel)] if channel is not None else [ANY, *own]
        mask = masks.get(user, 1)
        names = spread.get(mask)
        if names is None:
            names = spread[mask] = [ANY, *(c for b, c in enumerate(courses) if mask >> (b + 1) & 1)]
        country = place if what == LISTING else countries[user]
        status = status or ""
        for key in keys:
            for course in names if key != ANY else names[1:]:  # no filter at all: not counted here
                found[(course, key, ANY, day, what, status)] += 1
            if country:
                for course in names[1:] if key == ANY else names[:1]:  # with a course or with a channel
                    found[(course, key, country, day, what, status)] += 1


async def replace_rows(db: Database, rows: list[dict[str, Any]]) -> None:
    """Replace the groups with ``rows``, ``WRITE_BATCH`` rows a transaction (SQLite's write lock is held for
    one batch at a time, not for the hundreds of thousands of rows). Only while the part is set aside: pages
    count from the tables meanwhile, and the refresh marks it current afterwards if nothing changed."""
    async with db.transaction() as session:
        await session.execute(delete(ListedGroup))
    for i in range(0, len(rows), WRITE_BATCH):
        batch = rows[i:i + WRITE_BATCH]
        async with db.transaction() as session:
            for j in range(0, len(batch), 1000):
                await session.execute(insert(ListedGroup), batch[j:j + 1000])


async def summed(session: AsyncSession, f: Filters, since: datetime | None, joined_from: datetime,
                 boundary: datetime) -> list[tuple[str, str, str, int]]:
    """(kind, status, day, rows) of ``f``'s learners from ``since``'s day (``None``: all) to the boundary's, and
    of learners who joined from ``joined_from``'s day; the day only for those (``''`` for the other kinds)."""
    joined = ListedGroup.what == JOINED
    day = case((joined, ListedGroup.day), else_=literal(""))
    query = (select(ListedGroup.what, ListedGroup.status, day, func.sum(ListedGroup.n))
             .where(ListedGroup.course == (f.course or ANY), ListedGroup.channel == (f.channel or ANY),
                    ListedGroup.country == (f.country or ANY), ListedGroup.day < boundary.date().isoformat(),
                    or_(and_(joined, ListedGroup.day >= joined_from.date().isoformat()),
                        and_(~joined, ListedGroup.day >= (since.date().isoformat() if since else ""))))
             .group_by(ListedGroup.what, ListedGroup.status, day))
    if not (f.country or f.course):  # a channel's messages are counted by themselves
        query = query.where(ListedGroup.what != ANNOUNCEMENT)
    return [(what, status, d, int(n)) for what, status, d, n in (await session.execute(query)).all()]
