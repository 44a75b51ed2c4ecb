"""Dead letters: inbound messages whose handler raised, kept for an operator to look at and replay.

The engine records one (the message as JSON, the error, when) in the same transaction that marks the
message seen and queues the user's apology, so the platform's retry is a duplicate and nothing loops.
``smce-bot deadletters list|show|replay|drop`` reads and changes them (``bot.deadletters``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class DeadLetterStatus:
    NEW = "new"  # waiting for an operator
    REPLAYED = "replayed"  # handled again successfully


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]]
    error: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeadLetterStatus.NEW)
    created_at: Mapped[datetime]
    replayed_at: Mapped[datetime | None]


ERROR_LIMIT = 8000


def add_dead_letter(session: AsyncSession, channel: str, external_id: str, address: str, payload: dict[str, Any],
                    error: str, now: datetime) -> DeadLetter:
    row = DeadLetter(channel=channel, external_id=external_id[:100], address=address[:100], payload=payload,
                     error=error[-ERROR_LIMIT:], status=DeadLetterStatus.NEW, created_at=now)
    session.add(row)
    return row


async def dead_letters(session: AsyncSession, *, everything: bool = False, limit: int = 100) -> list[DeadLetter]:
    """The newest dead letters first (only those waiting, unless ``everything``)."""
    query = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
    if not everything:
        query = query.where(DeadLetter.status == DeadLetterStatus.NEW)
    return list((await session.scalars(query)).all())


async def dead_letter(session: AsyncSession, letter_id: int) -> DeadLetter | None:
    return await session.get(DeadLetter, letter_id)


async def mark_replayed(session: AsyncSession, letter_id: int, now: datetime) -> None:
    row = await session.get(DeadLetter, letter_id)
    if row is not None:
        row.status, row.replayed_at = DeadLetterStatus.REPLAYED, now


async def drop_dead_letter(session: AsyncSession, letter_id: int) -> bool:
    result = await session.execute(delete(DeadLetter).where(DeadLetter.id == letter_id))
    return bool(getattr(result, "rowcount", 0))
