"""Tables of the faq feature: hand-over tickets (and their messages), questions the FAQ could not
answer, and every answer given with the asker's "was this helpful?" vote."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.db import is_postgres
from storage.models import Base, Outbox, User, utcnow


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


async def unanswered_since(session: AsyncSession, since: datetime | None, language: str | None = None,
                           limit: int = 2000) -> list[FaqUnanswered]:
    """Questions the FAQ did not answer (and the asker did not pick an entry for) since ``since``, in one
    language or all, newest first: what the console's FAQ gaps page groups."""
    query = select(FaqUnanswered).where(FaqUnanswered.chosen_entry_id.is_(None))
    if since is not None:
        query = query.where(FaqUnanswered.created_at >= since)
    if language:
        query = query.where(FaqUnanswered.language == language)
    query = query.order_by(FaqUnanswered.created_at.desc(), FaqUnanswered.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def unanswered_by_id(session: AsyncSession, ids: Iterable[int]) -> list[FaqUnanswered]:
    """These unanswered questions, newest first."""
    query = select(FaqUnanswered).where(FaqUnanswered.id.in_(list(ids)))
    return list((await session.scalars(query.order_by(FaqUnanswered.created_at.desc()))).all())


# --- the trainer console's inbox ---


async def inbox(session: AsyncSession, statuses: Iterable[str], *, trainer_id: int | None = None,
                before_id: int | None = None, limit: int = 50) -> list[tuple[FaqTicket, User, User | None]]:
    """Tickets in these statuses (taken by ``trainer_id`` if given), newest first, paged by key
    (``before_id``): (ticket, asker, trainer)."""
    trainer = aliased(User)
    query = (select(FaqTicket, User, trainer).join(User, User.id == FaqTicket.user_id)
             .outerjoin(trainer, trainer.id == FaqTicket.trainer_id)
             .where(FaqTicket.status.in_(list(statuses))))
    if trainer_id is not None:
        query = query.where(FaqTicket.trainer_id == trainer_id)
    if before_id is not None:
        query = query.where(FaqTicket.id < before_id)
    result = await session.execute(query.order_by(FaqTicket.id.desc()).limit(limit))
    return [(ticket, asker, taker) for ticket, asker, taker in result.all()]


async def count_unclaimed(session: AsyncSession, created_before: datetime | None = None) -> int:
    """Open tickets nobody took, (with ``created_before``) waiting since before then."""
    query = select(func.count()).select_from(FaqTicket).where(FaqTicket.status == TicketStatus.OPEN)
    if created_before is not None:
        query = query.where(FaqTicket.created_at < created_before)
    return int(await session.scalar(query) or 0)


async def lock_ticket(session: AsyncSession, ticket_id: int) -> FaqTicket | None:
    """The ticket, locked for this transaction on PostgreSQL (two trainers claiming at once: one wins)."""
    query = select(FaqTicket).where(FaqTicket.id == ticket_id)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def ticket_messages(session: AsyncSession, ticket_id: int) -> list[FaqTicketMessage]:
    """What was said on a ticket, oldest first."""
    query = select(FaqTicketMessage).where(FaqTicketMessage.ticket_id == ticket_id).order_by(FaqTicketMessage.id)
    return list((await session.scalars(query)).all())


async def conversation_before(session: AsyncSession, user_id: int, before: datetime, since: datetime, *,
                              limit: int = 12) -> list[tuple[datetime, bool, str]]:
    """The last ``limit`` things said between the bot and this person from ``since`` until ``before``, oldest
    first, as (when, said by the person?, text): their questions to the FAQ and the bot's messages to them
    (announcements left out). What they typed otherwise is not kept, so it is not here."""
    said: list[tuple[datetime, bool, str]] = []
    for table in (FaqAnswer, FaqUnanswered):
        rows = await session.execute(
            select(table.created_at, table.question).where(table.user_id == user_id, table.created_at >= since,
                                                           table.created_at <= before)
            .order_by(table.created_at.desc()).limit(limit))
        said += [(at, True, question) for at, question in rows.all()]
    replies = await session.execute(
        select(Outbox.created_at, Outbox.body).where(Outbox.user_id == user_id, Outbox.broadcast_id.is_(None),
                                                     Outbox.created_at >= since, Outbox.created_at <= before)
        .order_by(Outbox.id.desc()).limit(limit))
    for at, body in replies.all():
        text = "\n".join(p for p in (str(body.get("title") or ""), str(body.get("text") or "")) if p)
        if text:
            said.append((at, False, text))
    said.sort(key=lambda row: row[0])
    unique = [row for i, row in enumerate(said) if i == 0 or row[1:] != said[i - 1][1:]]
    return unique[-limit:]
