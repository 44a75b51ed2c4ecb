"""How many learners per country, language, craft, province, sex, age band and channel (the dashboard's
breakdowns, the report's beneficiary tables, the dashboard's total), also among those who started one course:
a snapshot of the learners who joined before a day boundary, plus a live count of those who joined since
(an index on ``created_at``) and, for a course, of those who started it since (an index on ``started_at``).

People are not summable per day (a learner counts once whatever the day), so this is one snapshot per day,
grouped by the filters it serves: course (``*`` for any, else learners whose progress row for it started
before the boundary), channel (``*`` for any, else learners with an address on it), country, and per
attribute (``dim``) its value. Two parts, each used only while it is *current* (``summarised == version``
of its ``console_learner_snapshot`` row): ``PEOPLE`` (course ``*``) and ``COURSES`` (the rest). Triggers
(``storage.console_summary_sql``) add one to both versions whenever a learner who joined before the
boundary changes role, country or profile, is erased, or gains or loses an address; and to ``COURSES``'
when a progress row that started before the boundary is inserted, deleted or moved (a restart, an
erasure). The refresh (part of the ``console-summaries`` job) computes the groups outside any write
transaction and writes a part only if no such change happened to it meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.console_filters import LATEST, Filters, day_start, distinct_values, optional_columns
from storage.console_listed_summary import LISTED, listed_rows, replace_rows
from storage.db import Database, is_postgres
from storage.models import Address, Base, LessonProgress, Role, User

ANY = "*"
ATTRIBUTES = ("country", "language", "province", "craft")  # and the optional columns, and the channel
PEOPLE, COURSES = 1, 2  # the snapshot's parts (``LearnerSnapshot.id``): any course; per course (and ``LISTED``)
BATCH = 10_000  # users read at a time
SEP = "\x1f"  # between the course ids of a user


class LearnerSnapshot(Base):
    """One per part (``PEOPLE``, ``COURSES``): which snapshot its groups hold: learners who joined (and for a
    course started it) before ``boundary``."""

    __tablename__ = "console_learner_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=0)
    summarised: Mapped[int | None] = mapped_column(Integer)


class LearnerGroup(Base):
    __tablename__ = "console_learner_groups"

    course: Mapped[str] = mapped_column(String(40), primary_key=True)  # '*' for any course
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # '' for none
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)  # '' when missing
    missing: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1: no value
    n: Mapped[int] = mapped_column(Integer)


def dims() -> list[str]:
    return [*ATTRIBUTES, *optional_columns(), "channel"]


async def _started(session: AsyncSession, boundary: datetime) -> tuple[dict[int, int], list[str]]:
    """Per user the courses of their progress rows started before ``boundary`` as bits of a mask (bit 0:
    any course; bit i + 1: the i-th of the courses returned): a row per user, their courses joined by
    ``SEP`` (a row per progress row when a course id has it)."""
    courses: dict[str, int] = {}
    masks: dict[int, int] = {}

    def add(user: int, course: str) -> None:
        bit = courses.get(course)
        if bit is None:
            bit = courses[course] = 1 << (len(courses) + 1)
        masks[user] = masks.get(user, 1) | bit

    started = LessonProgress.started_at < boundary
    if any(SEP in c for c in await distinct_values(session, LessonProgress.course_id)):
        for user, course in (await session.execute(select(LessonProgress.user_id, LessonProgress.course_id)
                                                   .where(started))).all():
            add(user, course)
        return masks, list(courses)
    joined = (func.string_agg(LessonProgress.course_id, literal(SEP)) if is_postgres(session)
              else func.group_concat(LessonProgress.course_id, SEP))
    result = await session.stream(select(LessonProgress.user_id, joined).where(started)
                                  .group_by(LessonProgress.user_id))
    async for part in result.partitions(BATCH):
        for user, names in part:
            for course in names.split(SEP):
                add(user, course)
    return masks, list(courses)


def _count(people: list[Any], channels: dict[int, set[str]], masks: dict[int, int], courses: list[str],
           names: list[str]) -> list[dict[str, Any]]:
    """The groups of ``people`` (id, country, then ``names``' values), plain Python, one attribute at a time
    (memory: at most a key per learner and channel): each learner once per channel filter under their mask
    of courses, the masks then spread over their courses."""
    spread: dict[int, list[str]] = {}
    found: Counter[tuple[Any, ...]] = Counter()
    for i, dim in enumerate([*names, "channel"]):
        by_mask: Counter[tuple[Any, ...]] = Counter()
        for row in people:
            mask, own = masks.get(row[0], 1), channels.get(row[0], ())
            country = row[1] or ""
            if dim == "channel":
                keys = [(other, 0) for other in own]
            else:
                keys = [("", 1) if row[i + 2] is None else (row[i + 2], 0)]
            for channel in (ANY, *own):
                for value, missing in keys:
                    by_mask[(channel, country, value, missing, mask)] += 1
        for (channel, country, value, missing, mask), n in by_mask.items():
            names_of = spread.get(mask)
            if names_of is None:
                names_of = spread[mask] = [ANY, *(c for b, c in enumerate(courses) if mask >> (b + 1) & 1)]
            for course in names_of:
                found[(course, channel, country, dim, value, missing)] += n
    return [{"course": course, "channel": channel, "country": country, "dim": dim, "value": value,
             "missing": missing, "n": n} for (course, channel, country, dim, value, missing), n in found.items()]


async def _channels(session: AsyncSession) -> dict[int, set[str]]:
    channels: dict[int, set[str]] = {}
    for user, channel in (await session.execute(select(Address.user_id, Address.channel))).all():
        channels.setdefault(user, set()).add(channel)
    return channels


async def _groups(session: AsyncSession, boundary: datetime, masks: dict[int, int], courses: list[str],
                  channels: dict[int, set[str]]) -> list[dict[str, Any]]:
    """Every group of both parts: the learners who joined before ``boundary`` with their profile, channels
    and courses started before it, counted in Python (a grouped query per attribute, channel and course
    would read the million progress rows dozens of times)."""
    names = [d for d in dims() if d != "channel"]
    people = list((await session.execute(
        select(User.id, User.country, *[User.__table__.c[d] for d in names])
        .where(User.role == Role.LEARNER, User.created_at < boundary))).all())
    return await asyncio.to_thread(_count, people, channels, masks, courses, names)


def _part(row: dict[str, Any]) -> int:
    return PEOPLE if row["course"] == ANY else COURSES


async def _rows(session: AsyncSession, boundary: datetime, parts: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The rows of each of ``parts`` as of ``boundary``, from one read of the learners' courses and channels."""
    masks, courses = await _started(session, boundary)
    channels = await _channels(session)
    found: dict[int, list[dict[str, Any]]] = {part: [] for part in parts}
    if PEOPLE in parts or COURSES in parts:
        for row in await _groups(session, boundary, masks, courses, channels):
            if _part(row) in found:
                found[_part(row)].append(row)
    if LISTED in parts:
        found[LISTED] = await listed_rows(session, boundary, masks, courses, channels)
    return found


async def refresh_learners(db: Database, now: datetime) -> bool:
    """Take the snapshot as of today's start unless every part is current. False when a change came in
    meanwhile (the next run tries again)."""
    boundary = day_start(now)
    async with db.read() as session:
        found = {s.id: s for s in (await session.scalars(select(LearnerSnapshot))).all()}
    stale = [part for part in (PEOPLE, COURSES, LISTED) if part not in found or found[part].boundary != boundary
             or found[part].summarised != found[part].version]
    if not stale:
        return True
    async with db.transaction() as session:  # the new boundary first: from now on triggers compare with it
        for part in stale:
            if part not in found:
                session.add(LearnerSnapshot(id=part, boundary=boundary, version=0))
            else:
                await session.execute(update(LearnerSnapshot).where(LearnerSnapshot.id == part)
                                      .values(boundary=boundary, summarised=None))
    if not db.is_sqlite:
        from storage.console_summary import settle

        if not await settle(db):
            return False
    async with db.read() as session:
        versions = dict((await session.execute(select(LearnerSnapshot.id, LearnerSnapshot.version)
                                               .where(LearnerSnapshot.id.in_(stale)))).all())
        rows = await _rows(session, boundary, stale)
    if LISTED in stale:  # many rows: written first, in short transactions, while the part is set aside
        await replace_rows(db, rows[LISTED])
    async with db.transaction() as session:
        current = dict((await session.execute(select(LearnerSnapshot.id, LearnerSnapshot.version)
                                              .where(LearnerSnapshot.id.in_(stale)).with_for_update())).all())
        done = [part for part in stale if current.get(part) == versions.get(part)]
        for part in done:
            if part != LISTED:
                await session.execute(delete(LearnerGroup).where(
                    LearnerGroup.course == ANY if part == PEOPLE else LearnerGroup.course != ANY))
                for i in range(0, len(rows[part]), 1000):
                    await session.execute(insert(LearnerGroup), rows[part][i:i + 1000])
            await session.execute(update(LearnerSnapshot).where(LearnerSnapshot.id == part)
                                  .values(summarised=versions[part]))
    return len(done) == len(stale)


async def learner_groups(session: AsyncSession, f: Filters, wanted: list[str]
                         ) -> dict[str, dict[Any, int]] | None:
    """Per attribute of ``wanted``: learners of ``f`` (country, channel, course) per value, the province
    keyed ``(country, province)``. ``None`` when the part the filters need is not current (count live)."""
    snapshot = (await session.execute(select(LearnerSnapshot.boundary).where(
        LearnerSnapshot.id == (COURSES if f.course else PEOPLE),
        LearnerSnapshot.summarised == LearnerSnapshot.version))).first()
    if snapshot is None or snapshot[0] is None:
        return None
    found: dict[str, dict[Any, int]] = {dim: {} for dim in wanted}
    query = (select(LearnerGroup.dim, LearnerGroup.country, LearnerGroup.value, LearnerGroup.missing,
                    func.sum(LearnerGroup.n))
             .where(LearnerGroup.course == (f.course or ANY), LearnerGroup.channel == (f.channel or ANY),
                    LearnerGroup.dim.in_(wanted))
             .group_by(LearnerGroup.dim, LearnerGroup.country, LearnerGroup.value, LearnerGroup.missing))
    if f.country:
        query = query.where(LearnerGroup.country == f.country)
    for dim, country, value, missing, n in (await session.execute(query)).all():
        key: Any = None if missing else value
        if dim == "province":
            key = (country or None, key)
        found[dim][key] = found[dim].get(key, 0) + int(n)
    await _add_new(session, f, snapshot[0], found)
    return found


async def _add_new(session: AsyncSession, f: Filters, boundary: datetime, found: dict[str, dict[Any, int]]) -> None:
    """Count the learners the snapshot leaves out, from the rows: who joined since, and for a course who
    joined before but started it since."""
    columns = [c for c in found if c != "channel"]
    base = select(User.id, User.country, *[User.__table__.c[c] for c in columns if c != "country"]).where(
        User.role == Role.LEARNER)
    if f.country:  # ``|| ''``: the ranges of the times drive (a few learners), not the country's 30,000 ids
        base = base.where((User.country + "") == f.country)
    if f.channel:
        base = base.where(exists().where(Address.user_id == User.id, Address.channel == f.channel))
    queries = [base.where(User.created_at >= boundary)]
    if f.course:
        queries[0] = queries[0].where(exists().where(LessonProgress.user_id == User.id,
                                                     LessonProgress.course_id == f.course))
        queries.append(base.join(LessonProgress, LessonProgress.user_id == User.id).where(
            LessonProgress.started_at.between(boundary, LATEST), LessonProgress.course_id == f.course,
            User.created_at < boundary))
    people = [row for query in queries for row in (await session.execute(query)).all()]
    if not people:
        return
    for row in people:
        values = dict(zip(["country", *[c for c in columns if c != "country"]], row[1:], strict=True))
        for dim in columns:
            key = (values["country"], values["province"]) if dim == "province" else values[dim]
            found[dim][key] = found[dim].get(key, 0) + 1
    if "channel" in found:
        ids = [row[0] for row in people]
        for i in range(0, len(ids), 500):
            pairs = select(Address.user_id, Address.channel).where(Address.user_id.in_(ids[i:i + 500])).distinct()
            for _, channel in (await session.execute(pairs)).all():
                found["channel"][channel] = found["channel"].get(channel, 0) + 1
