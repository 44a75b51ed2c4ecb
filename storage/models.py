"""Core tables: users and their addresses, dropped duplicates, the outbox, lesson progress.

Feature modules (marketplace, FAQ, announcements, ...) declare their own tables on the same ``Base``
in their own ``storage/<feature>.py`` and add an Alembic migration of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Role:
    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


class User(Base):
    """A person. They reach us at one or more addresses (a Telegram chat, a WhatsApp number)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    province: Mapped[str | None] = mapped_column(String(100))
    craft: Mapped[str | None] = mapped_column(String(40))
    sex: Mapped[str | None] = mapped_column(String(16))  # optional, a code of bot.demographics.SEXES
    age_band: Mapped[str | None] = mapped_column(String(16))  # optional, a code of bot.demographics.AGE_BANDS
    timezone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER)
    onboarded: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)  # STOP: no announcements
    # Data saver (issue 19): photos go out as light versions, the full one on request (bot.light).
    data_saver: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    step: Mapped[str | None] = mapped_column(String(64))  # a named conversation step, see handlers
    step_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    menu: Mapped[list[Any]] = mapped_column(default=list)  # last buttons shown: [[label, payload], ...]
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    addresses: Mapped[list[Address]] = relationship(back_populates="user", lazy="selectin")


class Address(Base):
    """One way to reach a user: ``telegram:123``, ``whatsapp:+856...``, ``terminal:local``."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100), unique=True)
    username: Mapped[str | None] = mapped_column(String(100))
    profile_name: Mapped[str | None] = mapped_column(String(200))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)  # the platform said 403 / opted out
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="addresses")


class SeenMessage(Base):
    """Inbound messages already handled, so a platform's retry is handled once."""

    __tablename__ = "seen_messages"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxStatus:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"  # accepted by the platform
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    HELD = "held"  # kept, not sent: e.g. outside WhatsApp's 24-hour window with no template
    SKIPPED = "skipped"  # the address blocked the bot


class Outbox(Base):
    """Replies written in the same transaction as the state change that caused them."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "status", "broadcast_id", "id"),  # the claim walks it in order: no sort
        Index("ix_outbox_external", "channel", "external_id"),
        Index("ix_outbox_address_status", "address", "status"),  # an address's unsent rows (and all its rows)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32), default="reply")
    body: Mapped[dict[str, Any]] = mapped_column()  # Reply.to_dict()
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column()
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class LessonProgress(Base):
    """Where a user is in one course: the next lesson to show, and whether a quiz is open."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(40))
    next_lesson: Mapped[int] = mapped_column(Integer, default=0)  # index into the course's lessons
    lessons_done: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()


class QuizAnswer(Base):
    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(40))
    question_id: Mapped[str] = mapped_column(String(40))
    choice: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
