"""Polls and consultations (issue 18): a poll, its questions in order, their choices with the running count
of each, who it was sent to, and the answers.

Anonymous polls keep no link between a person and what they answered:

- a choice's count is a number (``poll_choices.votes``), raised by an atomic ``UPDATE`` that rewrites every
  choice of the question (so not even the row's last writer tells which choice it was);
- a free-text answer is a row with a random id, no time and no person (``poll_texts``), read in id order,
  that is in random order; the ``polls`` job rewrites new ones once (``settle_texts``), so on PostgreSQL
  their row version no longer carries the answering transaction;
- "has answered" is a row per (question, person) with a random id and no time (``poll_markers``), unique,
  so nobody is counted twice.

Named polls also keep one ``poll_answers`` row per person and question (what they chose, when).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Row,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.announcements import audience_conditions
from storage.db import is_postgres
from storage.models import Base, Outbox, OutboxStatus, User, utcnow

# A random 62-bit id. On SQLite the column is INTEGER PRIMARY KEY, the rowid itself, so not even the hidden
# rowid follows the order rows were written in.
RandomId = BigInteger().with_variant(Integer(), "sqlite")
TEXT_MAX = 300


def random_id() -> int:
    return secrets.randbits(62) + 1


class PollStatus:
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # opens at opens_at
    OPEN = "open"  # being sent (until ``expanded``) and taking answers until closes_at
    CLOSED = "closed"
    CANCELLED = "cancelled"


class QuestionKind:
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    ALL = (SINGLE, MULTIPLE, TEXT)


class Poll(Base):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_due", "status", "opens_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # storage.announcements.audience_conditions
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=PollStatus.DRAFT)
    opens_at: Mapped[datetime | None] = mapped_column()
    closes_at: Mapped[datetime | None] = mapped_column()
    expanded: Mapped[bool] = mapped_column(Boolean, default=False)  # every recipient has its message
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # people with a smaller id were sent it
    targeted: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()


class PollQuestion(Base):
    __tablename__ = "poll_questions"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class PollChoice(Base):
    __tablename__ = "poll_choices"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    votes: Mapped[int] = mapped_column(Integer, default=0)


class PollRecipient(Base):
    """The poll was sent to this person (once)."""

    __tablename__ = "poll_recipients"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PollMarker(Base):
    """This person has answered this question: no time, a random id."""

    __tablename__ = "poll_markers"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PollText(Base):
    """A free-text answer of nobody in particular."""

    __tablename__ = "poll_texts"
    __table_args__ = (Index("ix_poll_texts_question", "question_id", "id"),)

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    fresh: Mapped[bool] = mapped_column(Boolean, default=True)  # not yet rewritten by the job


class PollAnswer(Base):
    """A named poll's answer: who chose what (choice positions) or wrote what, and when."""

    __tablename__ = "poll_answers"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("poll_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    choices: Mapped[list[Any] | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- building -------------------------------------------------------------------------------------------


async def add_question(session: AsyncSession, poll: Poll, kind: str, text: str, labels: list[str]) -> PollQuestion:
    position = int(await session.scalar(select(func.count()).select_from(PollQuestion)
                                        .where(PollQuestion.poll_id == poll.id)) or 0)
    question = PollQuestion(poll_id=poll.id, position=position, kind=kind, text=text)
    session.add(question)
    await session.flush()
    for i, label in enumerate(labels):
        session.add(PollChoice(question_id=question.id, position=i, label=label, votes=0))
    await session.flush()
    return question


async def questions_of(session: AsyncSession, poll_id: int) -> list[PollQuestion]:
    return list((await session.scalars(select(PollQuestion).where(PollQuestion.poll_id == poll_id)
                                       .order_by(PollQuestion.position))).all())


async def choices_of(session: AsyncSession, question_ids: list[int]) -> dict[int, list[PollChoice]]:
    found: dict[int, list[PollChoice]] = {q: [] for q in question_ids}
    if question_ids:
        for c in (await session.scalars(select(PollChoice).where(PollChoice.question_id.in_(question_ids))
                                        .order_by(PollChoice.question_id, PollChoice.position))).all():
            found[c.question_id].append(c)
    return found


async def recent_polls(session: AsyncSession, author_id: int | None, limit: int = 8) -> list[Poll]:
    query = select(Poll).where(Poll.status != PollStatus.DRAFT, Poll.status != PollStatus.CANCELLED)
    if author_id is not None:
        query = query.where(Poll.author_id == author_id)
    return list((await session.scalars(query.order_by(Poll.id.desc()).limit(limit))).all())


# --- answering ------------------------------------------------------------------------------------------


async def is_recipient(session: AsyncSession, poll_id: int, user_id: int) -> bool:
    return await session.scalar(select(PollRecipient.id).where(
        PollRecipient.poll_id == poll_id, PollRecipient.user_id == user_id)) is not None


async def answered(session: AsyncSession, question_ids: list[int], user_id: int) -> set[int]:
    """Which of these questions this person has answered."""
    if not question_ids:
        return set()
    return set((await session.scalars(select(PollMarker.question_id).where(
        PollMarker.question_id.in_(question_ids), PollMarker.user_id == user_id))).all())


async def record_answer(session: AsyncSession, poll: Poll, question: PollQuestion, user_id: int,
                        positions: list[int], text: str | None, now: datetime) -> bool:
    """Count one person's answer to one question, in the caller's transaction; False (nothing changed) if
    they answered it before. ``positions``: the chosen choices; ``text``: a free-text answer."""
    try:
        async with session.begin_nested():
            await session.execute(insert(PollMarker.__table__).values(  # type: ignore[arg-type]
                id=random_id(), question_id=question.id, user_id=user_id))
    except IntegrityError:
        return False
    if question.kind == QuestionKind.TEXT:
        if text:
            await session.execute(insert(PollText.__table__).values(  # type: ignore[arg-type]
                id=random_id(), question_id=question.id, text=text[:TEXT_MAX], fresh=True))
    elif question.kind == QuestionKind.MULTIPLE:
        await scrub_toggles(session, user_id)
    if positions and question.kind != QuestionKind.TEXT:
        await session.execute(update(PollChoice).where(PollChoice.question_id == question.id).values(
            votes=PollChoice.votes + case((PollChoice.position.in_(positions), 1), else_=0)))
    if not poll.anonymous:
        session.add(PollAnswer(question_id=question.id, user_id=user_id, answered_at=now,
                               choices=sorted(positions) if question.kind != QuestionKind.TEXT else None,
                               text=text[:TEXT_MAX] if text else None))
    return True


TOGGLE_KIND = "poll_toggle"  # the kind of the replies that show a multiple choice's ticks


async def scrub_toggles(session: AsyncSession, user_id: int) -> None:
    """Blank this person's replies that showed their ticks (the outbox keeps sent messages a while): once
    the answer is counted they would tell what it was. One still waiting is not sent at all."""
    await session.execute(update(Outbox).where(Outbox.user_id == user_id, Outbox.kind == TOGGLE_KIND).values(
        body={"text": "", "kind": TOGGLE_KIND},
        status=case((Outbox.status == OutboxStatus.PENDING, OutboxStatus.SKIPPED), else_=Outbox.status)))


# --- results -------------------------------------------------------------------------------------------


async def respondents(session: AsyncSession, question_ids: list[int]) -> dict[int, int]:
    """How many people answered each question."""
    if not question_ids:
        return {}
    counts = dict.fromkeys(question_ids, 0)
    for qid, n in (await session.execute(select(PollMarker.question_id, func.count()).where(
            PollMarker.question_id.in_(question_ids)).group_by(PollMarker.question_id))).all():
        counts[qid] = int(n)
    return counts


async def texts_of(session: AsyncSession, question_id: int, limit: int | None = None) -> list[str]:
    """The free-text answers of a question, in random order (their ids are random)."""
    query = select(PollText.text).where(PollText.question_id == question_id).order_by(PollText.id)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).all())


async def named_answers(session: AsyncSession, question_ids: list[int]) -> Sequence[Row[Any]]:
    """A named poll's answers: (question_id, user_id, name, choices, text, answered_at)."""
    return (await session.execute(
        select(PollAnswer.question_id, PollAnswer.user_id, User.name, PollAnswer.choices, PollAnswer.text,
               PollAnswer.answered_at).outerjoin(User, User.id == PollAnswer.user_id)
        .where(PollAnswer.question_id.in_(question_ids)).order_by(PollAnswer.user_id, PollAnswer.question_id))).all()


async def recipient_count(session: AsyncSession, poll_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(PollRecipient)
                                    .where(PollRecipient.poll_id == poll_id)) or 0)


# --- the polls job --------------------------------------------------------------------------------------


async def open_due(session: AsyncSession, now: datetime) -> None:
    await session.execute(update(Poll).where(Poll.status == PollStatus.SCHEDULED, Poll.opens_at <= now)
                          .values(status=PollStatus.OPEN))


async def expanding_ids(session: AsyncSession) -> list[int]:
    return list((await session.scalars(select(Poll.id).where(Poll.status == PollStatus.OPEN,
                                                             Poll.expanded.is_(False)).order_by(Poll.id))).all())


async def due_to_close(session: AsyncSession, now: datetime) -> list[int]:
    return list((await session.scalars(select(Poll.id).where(
        Poll.status.in_([PollStatus.OPEN, PollStatus.SCHEDULED]), Poll.closes_at <= now))).all())


async def locked_poll(session: AsyncSession, poll_id: int) -> Poll | None:
    return await session.get(Poll, poll_id, with_for_update=is_postgres(session), populate_existing=True)


async def next_people(session: AsyncSession, poll: Poll, limit: int,
                      now: datetime) -> Sequence[Row[int, str | None, str | None, bool]]:
    """The next ``limit`` people of the audience after the cursor: (id, language, timezone, opted_out)."""
    return (await session.execute(
        select(User.id, User.language, User.timezone, User.opted_out)
        .where(*audience_conditions(poll.audience or {}, poll.author_id, now), User.id > poll.cursor)
        .order_by(User.id).limit(limit))).all()


async def add_recipients(session: AsyncSession, poll_id: int, user_ids: list[int]) -> None:
    if user_ids:
        await session.execute(insert(PollRecipient.__table__),  # type: ignore[arg-type]
                              [{"poll_id": poll_id, "user_id": u} for u in user_ids])


async def set_menus(session: AsyncSession, user_ids: list[int], menu: list[list[str]]) -> None:
    """Typed numbers (WhatsApp, the terminal) press these buttons, as for a reply."""
    if user_ids:
        await session.execute(update(User).where(User.id.in_(user_ids)).values(menu=menu))


async def settle_texts(session: AsyncSession) -> int:
    """Rewrite the free-text answers written since the last run (see the module's note)."""
    result = await session.execute(update(PollText).where(PollText.fresh.is_(True)).values(fresh=False))
    return int(getattr(result, "rowcount", 0) or 0)
