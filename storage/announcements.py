"""Tables of the trainer feature: invites, refused attempts, announcements and their recipients, button
taps, and learners' lesson reminders (declared on storage.models.Base)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


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
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # see handlers.announcements.compose.Audience
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    scheduled_at: Mapped[datetime | None] = mapped_column()
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # users with a smaller id are expanded
    targeted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    expanded_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


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
    """A learner's lesson reminder: daily, or weekly on one weekday, at a local hour."""

    __tablename__ = "lesson_reminders"
    __table_args__ = (Index("ix_lesson_reminders_due", "enabled", "next_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8), default="daily")  # daily | weekly
    hour: Mapped[int] = mapped_column(Integer, default=9)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday = 0, for weekly ones
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_at: Mapped[datetime | None] = mapped_column()
    last_sent_at: Mapped[datetime | None] = mapped_column()
