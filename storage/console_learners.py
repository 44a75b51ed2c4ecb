"""How many learners per country, language, craft, province, sex, age band and channel (the dashboard's
breakdowns, the report's beneficiary tables, the dashboard's total): a snapshot of the learners who joined
before a day boundary, plus a live count of those who joined since (an index on ``created_at``).

People are not summable per day (a learner counts once whatever the day), so this is one snapshot per day,
grouped by the filters it serves: channel (``*`` for any, else learners with an address on it), country,
and per attribute (``dim``) its value. The snapshot is used only while it is *current*: ``summarised ==
version``. Triggers (``storage.console_summary_sql``) add one to ``version`` whenever a learner who joined
before the boundary changes role, country or profile, is erased, or gains or loses an address. The refresh
(part of the ``console-summaries`` job) computes the groups outside any write transaction and writes them
only if no such change happened meanwhile. With a course filter the pages count live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.console_filters import Filters, day_start, distinct_values, optional_columns
from storage.db import Database
from storage.models import Address, Base, Role, User

ANY = "*"
ATTRIBUTES = ("country", "language", "province", "craft")  # and the optional columns, and the channel


class LearnerSnapshot(Base):
    """The one row saying which snapshot the groups hold: learners who joined before ``boundary``."""

    __tablename__ = "console_learner_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    boundary: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=0)
    summarised: Mapped[int | None] = mapped_column(Integer)


class LearnerGroup(Base):
    __tablename__ = "console_learner_groups"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # '' for none
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)  # '' when missing
    missing: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1: no value
    n: Mapped[int] = mapped_column(Integer)


def dims() -> list[str]:
    return [*ATTRIBUTES, *optional_columns(), "channel"]


async def _groups(session: AsyncSession, boundary: datetime) -> list[dict[str, Any]]:
    """One grouped scan of the learners per attribute and channel filter (the channel's own counts: one per
    channel pair)."""
    rows: list[dict[str, Any]] = []
    country = func.coalesce(User.country, "")
    channels = await distinct_values(session, Address.channel)

    def on(channel: str) -> Any:
        return User.id.in_(select(Address.user_id).where(Address.channel == channel))

    for channel in (ANY, *channels):
        learners = [User.role == Role.LEARNER, User.created_at < boundary, *([on(channel)] if channel != ANY else [])]
        for dim in dims():
            if dim == "channel":  # learners with an address on each channel, per country
                for other in channels:
                    per = select(country, func.count()).where(*learners, on(other)).group_by(country)
                    rows += [{"channel": channel, "country": c, "dim": dim, "value": other, "missing": 0,
                              "n": int(n)} for c, n in (await session.execute(per)).all()]
                continue
            column = User.__table__.c[dim]
            query = (select(country, func.coalesce(column, ""), column.is_(None).cast(Integer), func.count())
                     .where(*learners).group_by(country, column))
            rows += [{"channel": channel, "country": c, "dim": dim, "value": v, "missing": int(missing), "n": int(n)}
                     for c, v, missing, n in (await session.execute(query)).all()]
    return rows


async def refresh_learners(db: Database, now: datetime) -> bool:
    """Take the snapshot as of today's start unless it is current. False when a change came in meanwhile
    (the next run tries again)."""
    boundary = day_start(now)
    async with db.read() as session:
        snapshot = await session.get(LearnerSnapshot, 1)
        if snapshot and snapshot.boundary == boundary and snapshot.summarised == snapshot.version:
            return True
    async with db.transaction() as session:  # the new boundary first: from now on triggers compare with it
        if snapshot is None:
            session.add(LearnerSnapshot(id=1, boundary=boundary, version=0))
        else:
            await session.execute(update(LearnerSnapshot).values(boundary=boundary, summarised=None))
    if not db.is_sqlite:
        from storage.console_summary import settle

        if not await settle(db):
            return False
    async with db.read() as session:
        version = await session.scalar(select(LearnerSnapshot.version))
        rows = await _groups(session, boundary)
    async with db.transaction() as session:
        current = await session.scalar(select(LearnerSnapshot.version).with_for_update())
        if current != version:
            return False
        await session.execute(delete(LearnerGroup))
        for i in range(0, len(rows), 1000):
            await session.execute(insert(LearnerGroup), rows[i:i + 1000])
        await session.execute(update(LearnerSnapshot).values(summarised=version))
    return True


async def learner_groups(session: AsyncSession, f: Filters, wanted: list[str]
                         ) -> dict[str, dict[Any, int]] | None:
    """Per attribute of ``wanted``: learners of ``f`` (country, channel) per value, the province keyed
    ``(country, province)``. ``None`` with a course filter or no current snapshot (count live then)."""
    if f.course:
        return None
    snapshot = (await session.execute(select(LearnerSnapshot.boundary).where(
        LearnerSnapshot.summarised == LearnerSnapshot.version))).first()
    if snapshot is None or snapshot[0] is None:
        return None
    found: dict[str, dict[Any, int]] = {dim: {} for dim in wanted}
    query = (select(LearnerGroup.dim, LearnerGroup.country, LearnerGroup.value, LearnerGroup.missing,
                    func.sum(LearnerGroup.n))
             .where(LearnerGroup.channel == (f.channel or ANY), LearnerGroup.dim.in_(wanted))
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
    """Count the learners who joined since the snapshot, from the rows."""
    columns = [c for c in found if c != "channel"]
    query = select(User.id, User.country, *[User.__table__.c[c] for c in columns if c != "country"]).where(
        User.role == Role.LEARNER, User.created_at >= boundary)
    if f.country:
        query = query.where(User.country == f.country)
    if f.channel:
        query = query.where(exists().where(Address.user_id == User.id, Address.channel == f.channel))
    people = (await session.execute(query)).all()
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
