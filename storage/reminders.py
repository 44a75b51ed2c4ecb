"""Queries of lesson reminders (the table is ``storage.announcements.Reminder``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.announcements import Reminder
from storage.db import is_postgres
from storage.models import User


async def reminder_for(session: AsyncSession, user_id: int) -> Reminder | None:
    return await session.get(Reminder, user_id)


async def due_reminders(session: AsyncSession, now: datetime, limit: int) -> list[Reminder]:
    """Enabled reminders due by ``now``, earliest first; on PostgreSQL locked, skipping ones another
    worker holds."""
    query = (select(Reminder).where(Reminder.enabled.is_(True), Reminder.next_at <= now)
             .order_by(Reminder.next_at).limit(limit))
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list((await session.scalars(query)).all())


async def users_by_id(session: AsyncSession, user_ids: list[int]) -> dict[int, User]:
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()}

