"""What the data saver (``bot.light``, ``handlers.data_saver``) reads: a person's setting and language when a
photo goes out to them, and the photos recently written to an address (the full one is sent on request)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, User

RECENT = 40  # outbox rows looked at for "the last photo" of /photo


async def saver_of(session: AsyncSession, user_id: int) -> tuple[bool, str | None] | None:
    """``(data_saver, language)`` of a user, or None when there is no such user."""
    row = (await session.execute(select(User.data_saver, User.language).where(User.id == user_id))).first()
    return (bool(row[0]), row[1]) if row is not None else None


async def photo_written(session: AsyncSession, address: str, row_id: int | None = None) -> dict[str, Any] | None:
    """The stored photo (``Media.to_dict()``) of outbox row ``row_id`` if it was written to ``address``;
    without ``row_id``, of the newest of the address's last rows that has one. None if there is none."""
    query = select(Outbox.body).where(Outbox.address == address)
    if row_id is not None:
        query = query.where(Outbox.id == row_id)
    bodies = (await session.scalars(query.order_by(Outbox.id.desc()).limit(RECENT))).all()
    for body in bodies:
        photo = body.get("photo") if isinstance(body, dict) else None
        if isinstance(photo, dict):
            return photo
    return None
