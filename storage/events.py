"""Events (fairs, workshops, training days, online sessions), RSVPs with a waitlist, reminders and check-in.

An RSVP is ``going`` (it holds a seat), ``waiting`` (in line, ordered by ``position``: the order they last
asked in) or ``cancelled``. Seats are counted under a lock of the event row (PostgreSQL ``FOR UPDATE``; SQLite has one
writer), so two people pressing RSVP for the last seat cannot both get it. Each RSVP has a short random
check-in code (``CODE_ALPHABET``: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes). Reminders a day and an hour
before the start are marked sent (``reminded_day_at``, ``reminded_hour_at``) in the transaction that queues
them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import is_postgres
from storage.models import Base, User, utcnow

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)
KINDS = ("fair", "workshop", "training", "online")


class RsvpStatus:
    GOING = "going"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class EventStatus:
    OPEN = "open"
    CANCELLED = "cancelled"


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_upcoming", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    timezone: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rsvp(Base):
    __tablename__ = "event_rsvps"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_event_rsvps_line", "event_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    queued_at: Mapped[datetime] = mapped_column()  # when they (last) asked
    position: Mapped[int] = mapped_column(Integer)  # the order they (last) asked in: the waitlist's order
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_day_at: Mapped[datetime | None] = mapped_column()
    reminded_hour_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- events ----------------------------------------------------------------------------------------


async def get_event(session: AsyncSession, event_id: int, *, lock: bool = False) -> Event | None:
    if lock and is_postgres(session):
        return (await session.scalars(select(Event).where(Event.id == event_id).with_for_update())).first()
    return await session.get(Event, event_id)


async def upcoming_events(session: AsyncSession, now: datetime, limit: int = 20) -> list[Event]:
    """Open events not yet over, soonest first."""
    query = (select(Event).where(Event.status == EventStatus.OPEN, Event.ends_at > now)
             .order_by(Event.starts_at, Event.id).limit(limit))
    return list((await session.scalars(query)).all())


async def all_events(session: AsyncSession, limit: int = 200) -> list[Event]:
    """Every event, newest start first (the console's list)."""
    query = select(Event).order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def seats_taken(session: AsyncSession, event_id: int) -> int:
    query = select(func.count()).select_from(Rsvp).where(Rsvp.event_id == event_id,
                                                         Rsvp.status == RsvpStatus.GOING)
    return int(await session.scalar(query) or 0)


async def counts_by_event(session: AsyncSession, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """{event id: {"going", "waiting", "checked_in"}}."""
    found: dict[int, dict[str, int]] = {i: {"going": 0, "waiting": 0, "checked_in": 0} for i in event_ids}
    if not event_ids:
        return found
    query = (select(Rsvp.event_id, Rsvp.status, func.count(), func.count(Rsvp.checked_in_at))
             .where(Rsvp.event_id.in_(event_ids)).group_by(Rsvp.event_id, Rsvp.status))
    for event_id, status, n, checked in (await session.execute(query)).all():
        if status in (RsvpStatus.GOING, RsvpStatus.WAITING):
            found[event_id][status] = int(n)
        if status == RsvpStatus.GOING:
            found[event_id]["checked_in"] = int(checked)
    return found


# --- RSVPs -----------------------------------------------------------------------------------------


async def rsvp_of(session: AsyncSession, event_id: int, user_id: int) -> Rsvp | None:
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id)
    return (await session.scalars(query)).first()


async def rsvp_by_code(session: AsyncSession, code: str) -> Rsvp | None:
    return (await session.scalars(select(Rsvp).where(Rsvp.code == code))).first()


async def new_code(session: AsyncSession) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if await rsvp_by_code(session, code) is None:
            return code


def clean_code(text: str) -> str:
    """A typed code as stored: capitals, without spaces or dashes (``"ab3-4cd"`` → ``"AB34CD"``)."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[:20]


def skip_past_reminders(rsvp: Rsvp, event: Event, now: datetime) -> None:
    """Someone who signs up less than a day (an hour) before gets no "tomorrow" ("in an hour") reminder."""
    if now >= event.starts_at - DAY_BEFORE and rsvp.reminded_day_at is None:
        rsvp.reminded_day_at = now
    if now >= event.starts_at - HOUR_BEFORE and rsvp.reminded_hour_at is None:
        rsvp.reminded_hour_at = now


async def sign_up(session: AsyncSession, event: Event, user_id: int, now: datetime) -> tuple[Rsvp, bool]:
    """RSVP (again): a seat if one is free, else a place at the end of the waitlist. Returns the RSVP and
    whether anything changed (False when they were already going or waiting). Lock the event first."""
    rsvp = await rsvp_of(session, event.id, user_id)
    if rsvp is not None and rsvp.status != RsvpStatus.CANCELLED:
        return rsvp, False
    free = await seats_taken(session, event.id) < event.capacity
    waiting = await session.scalar(select(func.count()).select_from(Rsvp).where(
        Rsvp.event_id == event.id, Rsvp.status == RsvpStatus.WAITING))
    status = RsvpStatus.GOING if free and not waiting else RsvpStatus.WAITING
    last = await session.scalar(select(func.max(Rsvp.position)).where(Rsvp.event_id == event.id))
    if rsvp is None:
        rsvp = Rsvp(event_id=event.id, user_id=user_id, code=await new_code(session), status=status, queued_at=now,
                    position=int(last or 0) + 1)
        session.add(rsvp)
    rsvp.status, rsvp.queued_at, rsvp.updated_at, rsvp.position = status, now, now, int(last or 0) + 1
    rsvp.reminded_day_at = rsvp.reminded_hour_at = None
    skip_past_reminders(rsvp, event, now)
    await session.flush()
    if free and waiting:  # seats freed up (capacity raised) while people wait: the line goes first
        await promote(session, event, now)
    return rsvp, True


async def waitlist(session: AsyncSession, event_id: int) -> list[Rsvp]:
    """The people waiting, first in line first."""
    query = (select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == RsvpStatus.WAITING)
             .order_by(Rsvp.position, Rsvp.id))
    return list((await session.scalars(query)).all())


async def promote(session: AsyncSession, event: Event, now: datetime) -> list[Rsvp]:
    """Give free seats to the waitlist in order; the RSVPs promoted (lock the event first)."""
    free = event.capacity - await seats_taken(session, event.id)
    promoted: list[Rsvp] = []
    for rsvp in (await waitlist(session, event.id))[:max(0, free)]:
        rsvp.status, rsvp.updated_at = RsvpStatus.GOING, now
        skip_past_reminders(rsvp, event, now)
        promoted.append(rsvp)
    await session.flush()
    return promoted


async def cancel(session: AsyncSession, event: Event, rsvp: Rsvp, now: datetime) -> list[Rsvp]:
    """Cancel an RSVP; the waitlisted people who got the seat (lock the event first)."""
    was_going = rsvp.status == RsvpStatus.GOING
    rsvp.status, rsvp.updated_at = RsvpStatus.CANCELLED, now
    await session.flush()
    return await promote(session, event, now) if was_going else []


async def my_rsvps(session: AsyncSession, user_id: int, now: datetime) -> list[tuple[Rsvp, Event]]:
    """A person's RSVPs (going or waiting) to events not yet over, soonest first."""
    query = (select(Rsvp, Event).join(Event, Event.id == Rsvp.event_id)
             .where(Rsvp.user_id == user_id, Rsvp.status != RsvpStatus.CANCELLED, Event.ends_at > now,
                    Event.status == EventStatus.OPEN)
             .order_by(Event.starts_at, Event.id))
    return [(r, e) for r, e in (await session.execute(query)).all()]


def check_in(rsvp: Rsvp, trainer_id: int, now: datetime) -> None:
    rsvp.checked_in_at, rsvp.checked_in_by, rsvp.updated_at = now, trainer_id, now


async def lock_rsvp(session: AsyncSession, code: str) -> Rsvp | None:
    query = select(Rsvp).where(Rsvp.code == code)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


# --- attendance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendee:
    rsvp: Rsvp
    user: User

    def state(self, event: Event, now: datetime) -> str:
        """going, waiting, cancelled, checked_in, or no_show (going, not checked in, the event is over)."""
        if self.rsvp.status == RsvpStatus.GOING:
            if self.rsvp.checked_in_at is not None:
                return "checked_in"
            return "no_show" if now >= event.ends_at else "going"
        return self.rsvp.status


async def attendees(session: AsyncSession, event_id: int) -> list[Attendee]:
    """Everyone who RSVPed, in the order they asked."""
    query = (select(Rsvp, User).join(User, User.id == Rsvp.user_id).where(Rsvp.event_id == event_id)
             .order_by(Rsvp.position, Rsvp.id))
    return [Attendee(r, u) for r, u in (await session.execute(query)).all()]


def tally(people: list[Attendee], event: Event, now: datetime) -> dict[str, int]:
    """{"rsvped", "waiting", "checked_in", "no_show", "cancelled"}; ``rsvped`` counts seats held."""
    states = [a.state(event, now) for a in people]
    return {"rsvped": sum(s in ("going", "checked_in", "no_show") for s in states),
            "waiting": states.count("waiting"), "checked_in": states.count("checked_in"),
            "no_show": states.count("no_show"), "cancelled": states.count("cancelled")}


async def events_attended(session: AsyncSession, users: Any, since: datetime | None) -> list[tuple[str, int]]:
    """The periodic report's "events attended": per event that started since ``since`` (all when None), how
    many of ``users`` (a subquery of user ids: the report's filters) were checked in."""
    query = (select(Event.title, Event.starts_at, func.count(Rsvp.id)).join(Rsvp, Rsvp.event_id == Event.id)
             .where(Rsvp.checked_in_at.is_not(None), Rsvp.user_id.in_(users))
             .group_by(Event.id, Event.title, Event.starts_at))
    if since is not None:
        query = query.where(Event.starts_at >= since)
    return sorted((f"{title} ({starts.date().isoformat()})", int(n))
                  for title, starts, n in (await session.execute(query)).all())


# --- reminders -------------------------------------------------------------------------------------


async def due_reminders(session: AsyncSession, now: datetime, limit: int) -> list[tuple[Rsvp, Event, str]]:
    """RSVPs (going) whose "a day before" or "an hour before" reminder is due and not sent: (rsvp, event,
    "day"|"hour"). On PostgreSQL the rows are locked, skipping ones another worker holds."""
    query = (select(Rsvp, Event).join(Event, Event.id == Rsvp.event_id)
             .where(Rsvp.status == RsvpStatus.GOING, Event.status == EventStatus.OPEN, Event.starts_at > now,
                    or_((Rsvp.reminded_day_at.is_(None)) & (Event.starts_at <= now + DAY_BEFORE),
                        (Rsvp.reminded_hour_at.is_(None)) & (Event.starts_at <= now + HOUR_BEFORE)))
             .order_by(Event.starts_at, Rsvp.id).limit(limit))
    if is_postgres(session):
        query = query.with_for_update(of=Rsvp, skip_locked=True)
    found: list[tuple[Rsvp, Event, str]] = []
    for rsvp, event in (await session.execute(query)).all():
        found.append((rsvp, event, "hour" if event.starts_at <= now + HOUR_BEFORE else "day"))
    return found
