"""Tables of the faq feature: hand-over tickets (and their messages), questions the FAQ could not
answer, and every answer given with the asker's "was this helpful?" vote."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, User, utcnow


class TicketStatus:
    OPEN = "open"  # waiting for a trainer
    TAKEN = "taken"  # a trainer is on it
    CLOSED = "closed"


class FaqTicket(Base):
    """A question handed over to a person."""

    __tablename__ = "faq_tickets"
    __table_args__ = (Index("ix_faq_tickets_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.OPEN)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class FaqTicketMessage(Base):
    """What was said on a ticket, either way, after it was opened."""

    __tablename__ = "faq_ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("faq_tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_trainer: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FaqUnanswered(Base):
    """A question the FAQ did not answer (or answered unhelpfully): material for new entries."""

    __tablename__ = "faq_unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))  # none, choices, unhelpful
    best_entry_id: Mapped[str | None] = mapped_column(String(40))
    best_score: Mapped[float | None] = mapped_column(Float)
    chosen_entry_id: Mapped[str | None] = mapped_column(String(40))  # picked from "did you mean"
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FaqAnswer(Base):
    """One FAQ answer shown to one user, with their vote (None until they press yes or no)."""

    __tablename__ = "faq_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    entry_id: Mapped[str] = mapped_column(String(40), index=True)
    question: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    voted_at: Mapped[datetime | None] = mapped_column()


async def helpful_counts(session: AsyncSession) -> dict[str, tuple[int, int, int]]:
    """Per entry: (times answered, helpful votes, not-helpful votes)."""
    query = select(
        FaqAnswer.entry_id,
        func.count(FaqAnswer.id),
        func.count(FaqAnswer.id).filter(FaqAnswer.helpful.is_(True)),
        func.count(FaqAnswer.id).filter(FaqAnswer.helpful.is_(False)),
    ).group_by(FaqAnswer.entry_id)
    return {row[0]: (row[1], row[2], row[3]) for row in (await session.execute(query)).all()}


async def trainers_to_notify(session: AsyncSession, roles: Iterable[str], except_user_id: int,
                             limit: int) -> list[User]:
    """Users with one of ``roles`` (trainers), but not ``except_user_id``, by id: who hears of a new ticket."""
    query = select(User).where(User.role.in_(tuple(roles)), User.id != except_user_id).order_by(User.id)
    return list((await session.scalars(query.limit(limit))).all())


async def tickets_for_trainer(session: AsyncSession, trainer_id: int, limit: int = 10) -> list[FaqTicket]:
    """Open tickets and the ones this trainer took (and has not closed), oldest first."""
    query = (
        select(FaqTicket)
        .where((FaqTicket.status == TicketStatus.OPEN)
               | ((FaqTicket.status == TicketStatus.TAKEN) & (FaqTicket.trainer_id == trainer_id)))
        .order_by(FaqTicket.created_at, FaqTicket.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def recent_unanswered(session: AsyncSession, limit: int = 20) -> list[FaqUnanswered]:
    """Questions the FAQ did not answer (and the asker did not then pick an entry for), newest first."""
    query = (
        select(FaqUnanswered)
        .where(FaqUnanswered.chosen_entry_id.is_(None))
        .order_by(FaqUnanswered.created_at.desc(), FaqUnanswered.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
