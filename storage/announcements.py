"""Tables of the trainer feature: invites, refused attempts, announcements and their recipients, button
taps, and learners' lesson reminders (declared on storage.models.Base); and the announcements' queries:
audiences, the delivery job's expansion, reports. (Invite and refusal queries: storage.roles; reminder
queries: storage.reminders.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import is_postgres
from storage.models import Address, Base, LessonProgress, Outbox, OutboxStatus, User, utcnow


class TrainerInvite(Base):
    """A one-time code that makes whoever sends it a trainer. Only the code's SHA-256 is kept."""

    __tablename__ = "trainer_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AccessAttempt(Base):
    """Someone without the role tried a trainer action (or a wrong invite code)."""

    __tablename__ = "access_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    address: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # being expanded into outbox rows
    QUEUED = "queued"  # every recipient has an outbox row (or was skipped); waiting for delivery
    DONE = "done"  # nothing left in the outbox; the summary went to the author
    CANCELLED = "cancelled"


class Broadcast(Base):
    """One announcement: the draft, then its schedule, its expansion cursor and its summary."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_due", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[dict[str, Any] | None] = mapped_column()  # Media.to_dict()
    button: Mapped[bool] = mapped_column(Boolean, default=False)  # an "I'm interested" button
    # More buttons, from the console: {"kind": "link", "label": ..., "url": ...} or {"kind": "course", "course": id}
    links: Mapped[list[Any] | None] = mapped_column()
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # see audience_conditions
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    scheduled_at: Mapped[datetime | None] = mapped_column()
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # users with a smaller id are expanded
    targeted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    expanded_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RecipientStatus:
    QUEUED = "queued"  # an outbox row was written
    OPTED_OUT = "opted_out"
    BLOCKED = "blocked"  # every address blocked the bot, or none left


class BroadcastRecipient(Base):
    """Who an announcement was expanded for: one row per person, so nobody is done twice."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(Integer)


class BroadcastTap(Base):
    """Someone pressed an announcement's button (counted once per person)."""

    __tablename__ = "broadcast_taps"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tapped_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reminder(Base):
    """A learner's lesson reminder: daily, or weekly on one weekday, at a local hour and minute."""

    __tablename__ = "lesson_reminders"
    __table_args__ = (Index("ix_lesson_reminders_due", "enabled", "next_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8), default="daily")  # daily | weekly
    hour: Mapped[int] = mapped_column(Integer, default=9)
    minute: Mapped[int] = mapped_column(Integer, default=0)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday = 0, for weekly ones
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_at: Mapped[datetime | None] = mapped_column()
    last_sent_at: Mapped[datetime | None] = mapped_column()


# --- audiences ---------------------------------------------------------------------------------------


COURSE_STATES = ("enrolled", "started", "completed", "not_started")  # in progress, any progress, done, none
ROLES = ("learner", "trainer", "admin")


def audience_conditions(audience: dict[str, Any], author_id: int | None = None,
                        now: datetime | None = None) -> list[ColumnElement[bool]]:
    """The people an audience means, onboarded and other than the author. Keys (all optional, they
    combine): language, country, province, craft, course with course_state (``COURSE_STATES``), channel
    (an address on it that did not block the bot), role, active_days (wrote within that many days of
    ``now``)."""
    conds: list[ColumnElement[bool]] = [User.onboarded.is_(True)]
    if author_id is not None:
        conds.append(User.id != author_id)
    if audience.get("language"):
        conds.append(User.language == audience["language"])
    if audience.get("country"):
        conds.append(User.country == audience["country"])
    if audience.get("province"):
        conds.append(func.lower(User.province) == str(audience["province"]).lower())
    if audience.get("craft"):
        conds.append(User.craft == audience["craft"])
    if audience.get("role") in ROLES:
        conds.append(User.role == audience["role"])
    if audience.get("channel"):
        conds.append(User.id.in_(select(Address.user_id).where(Address.channel == str(audience["channel"]),
                                                               Address.blocked.is_(False))))
    days = audience.get("active_days")
    if isinstance(days, int) and not isinstance(days, bool) and days > 0:
        since = (now or utcnow()) - timedelta(days=days)
        conds.append(User.id.in_(select(Address.user_id).where(Address.last_inbound_at >= since)))
    course = audience.get("course")
    if course:
        progress = select(LessonProgress.user_id).where(LessonProgress.course_id == course)
        state = audience.get("course_state", "enrolled")
        if state == "completed":
            conds.append(User.id.in_(progress.where(LessonProgress.completed_at.is_not(None))))
        elif state == "not_started":
            conds.append(User.id.not_in(progress))
        elif state == "started":
            conds.append(User.id.in_(progress))
        else:
            conds.append(User.id.in_(progress.where(LessonProgress.completed_at.is_(None))))
    return conds


async def audience_count(session: AsyncSession, audience: dict[str, Any], author_id: int | None) -> tuple[int, int]:
    """(people it will reach, people in the audience who opted out)."""
    conds = audience_conditions(audience, author_id)
    query = select(User.opted_out, func.count()).where(*conds).group_by(User.opted_out)
    counts = {bool(k): int(v) for k, v in (await session.execute(query)).all()}
    return counts.get(False, 0), counts.get(True, 0)


# --- the trainer's lists -------------------------------------------------------------------------------


async def latest_started(session: AsyncSession, author_id: int | None) -> Broadcast | None:
    """The newest announcement that started sending (of this author; of anyone when ``author_id`` is None)."""
    query = select(Broadcast).where(Broadcast.status.in_(
        [BroadcastStatus.SENDING, BroadcastStatus.QUEUED, BroadcastStatus.DONE, BroadcastStatus.CANCELLED]),
        Broadcast.started_at.is_not(None))
    if author_id is not None:
        query = query.where(Broadcast.author_id == author_id)
    return (await session.scalars(query.order_by(Broadcast.id.desc()).limit(1))).first()


async def recent_broadcasts(session: AsyncSession, author_id: int | None, limit: int = 8) -> list[Broadcast]:
    """The newest scheduled or sent announcements (of this author; of anyone when ``author_id`` is None)."""
    query = select(Broadcast).where(Broadcast.status != BroadcastStatus.DRAFT,
                                    Broadcast.status != BroadcastStatus.CANCELLED)
    if author_id is not None:
        query = query.where(Broadcast.author_id == author_id)
    return list((await session.scalars(query.order_by(Broadcast.id.desc()).limit(limit))).all())


async def skip_unsent(session: AsyncSession, broadcast_id: int) -> int:
    """Mark this announcement's messages not sent yet as skipped (cancelled); how many there were."""
    result = await session.execute(
        update(Outbox).where(Outbox.broadcast_id == broadcast_id, Outbox.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, error="cancelled"))
    return int(getattr(result, "rowcount", 0) or 0)


async def add_tap(session: AsyncSession, broadcast_id: int, user_id: int, now: datetime) -> bool:
    """Count a press of the announcement's button; False if this person pressed it before."""
    try:
        async with session.begin_nested():
            session.add(BroadcastTap(broadcast_id=broadcast_id, user_id=user_id, tapped_at=now))
    except IntegrityError:
        return False
    return True


# --- delivery: the broadcasts job ------------------------------------------------------------------------


async def start_due(session: AsyncSession, now: datetime) -> None:
    """Scheduled announcements whose time has come start sending."""
    await session.execute(
        update(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
        .values(status=BroadcastStatus.SENDING, started_at=now))


async def sending_ids(session: AsyncSession) -> list[int]:
    """Announcements being expanded into outbox rows, oldest first."""
    return list((await session.scalars(select(Broadcast.id).where(
        Broadcast.status == BroadcastStatus.SENDING).order_by(Broadcast.id))).all())


async def queued_ids(session: AsyncSession) -> list[int]:
    """Announcements fully expanded, waiting for their messages to leave."""
    return list((await session.scalars(
        select(Broadcast.id).where(Broadcast.status == BroadcastStatus.QUEUED))).all())


async def locked_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    """The announcement as it is now, locked for this transaction (on PostgreSQL)."""
    return await session.get(Broadcast, broadcast_id, with_for_update=is_postgres(session), populate_existing=True)


async def next_recipients(session: AsyncSession, b: Broadcast, limit: int,
                          now: datetime | None = None) -> Sequence[Row[int, str | None, str | None, bool]]:
    """The next ``limit`` people of the audience after the cursor: (id, language, timezone, opted_out)."""
    return (await session.execute(
        select(User.id, User.language, User.timezone, User.opted_out)
        .where(*audience_conditions(b.audience or {}, b.author_id, now), User.id > b.cursor)
        .order_by(User.id).limit(limit))).all()


async def recipients_among(session: AsyncSession, broadcast_id: int, user_ids: list[int]) -> set[int]:
    """Which of these people this announcement was already expanded for."""
    return set((await session.scalars(select(BroadcastRecipient.user_id).where(
        BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.user_id.in_(user_ids)))).all())


async def addresses_by_user(session: AsyncSession, user_ids: list[int]) -> dict[int, list[Any]]:
    """These people's addresses as plain rows (channel, address, blocked, last_inbound_at, created_at)."""
    addresses: dict[int, list[Any]] = {}
    for a in (await session.execute(
            select(Address.user_id, Address.channel, Address.address, Address.blocked, Address.last_inbound_at,
                   Address.created_at).where(Address.user_id.in_(user_ids)))).all():
        addresses.setdefault(a.user_id, []).append(a)
    return addresses


def reachable(addresses: list[Any]) -> Any | None:
    """The address an announcement goes to, of one person's plain address rows (channel, address, blocked,
    last_inbound_at, created_at; ``storage.users.preferred_address`` for rows): not blocked, not the
    terminal if there is another, the one they wrote from last."""
    usable = [a for a in addresses if not a.blocked and a.channel != "terminal"] or [
        a for a in addresses if not a.blocked]
    if not usable:
        return None
    return max(usable, key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or a.created_at))


async def add_recipients(session: AsyncSession, recipients: list[dict[str, Any]]) -> None:
    """``broadcast_recipients`` rows, with a Core INSERT: plain rows, none of the ORM's per-object bookkeeping."""
    if recipients:
        await session.execute(insert(BroadcastRecipient.__table__), recipients)  # type: ignore[arg-type]


async def waiting_count(session: AsyncSession, broadcast_id: int) -> int:
    """Messages of this announcement written but not yet sent (an index range count)."""
    return int(await session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.status == OutboxStatus.PENDING, Outbox.broadcast_id == broadcast_id)) or 0)


async def unsent_count(session: AsyncSession, broadcast_id: int) -> int:
    """Messages of this announcement still waiting or being sent (none left: it is done)."""
    return int(await session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.broadcast_id == broadcast_id, Outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))) or 0)


# --- reports -----------------------------------------------------------------------------------------


async def broadcast_stats(session: AsyncSession, b: Broadcast) -> dict[str, int]:
    """Targeted, queued (an outbox row written), sent, delivered, read, failed, pending, opted out, blocked,
    outside the window, cancelled (stopped before sending), taps."""
    stats = dict.fromkeys(("targeted", "queued", "sent", "delivered", "read", "failed", "pending", "opted_out",
                           "blocked", "outside_window", "cancelled", "taps"), 0)
    recipients = await session.execute(
        select(BroadcastRecipient.status, func.count()).where(BroadcastRecipient.broadcast_id == b.id)
        .group_by(BroadcastRecipient.status))
    for status, n in recipients.all():
        stats["targeted"] += n
        if status == RecipientStatus.QUEUED:
            stats["queued"] += n
        elif status == RecipientStatus.OPTED_OUT:
            stats["opted_out"] += n
        elif status == RecipientStatus.BLOCKED:
            stats["blocked"] += n
    blocked_error = Outbox.error.like("blocked%")
    cancelled = Outbox.error == "cancelled"
    outbox = await session.execute(
        select(Outbox.status, blocked_error, cancelled, func.count()).where(Outbox.broadcast_id == b.id)
        .group_by(Outbox.status, blocked_error, cancelled))
    for status, is_blocked, was_cancelled, n in outbox.all():
        if status in (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.READ):
            stats["sent"] += n
        if status in (OutboxStatus.DELIVERED, OutboxStatus.READ):
            stats["delivered"] += n
        if status == OutboxStatus.READ:
            stats["read"] += n
        if status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            stats["pending"] += n
        if status == OutboxStatus.HELD:
            stats["outside_window"] += n
        if status == OutboxStatus.SKIPPED and was_cancelled:
            stats["cancelled"] += n
        elif status == OutboxStatus.SKIPPED or (status == OutboxStatus.FAILED and is_blocked):
            stats["blocked"] += n
        elif status == OutboxStatus.FAILED:
            stats["failed"] += n
    stats["taps"] = int(await session.scalar(
        select(func.count()).select_from(BroadcastTap).where(BroadcastTap.broadcast_id == b.id)) or 0)
    return stats
