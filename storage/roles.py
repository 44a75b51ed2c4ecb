"""Queries of trainer roles: one-time invite codes (only their hashes are stored) and refused attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.announcements import AccessAttempt, TrainerInvite
from storage.db import is_postgres


def add_attempt(session: AsyncSession, user_id: int | None, address: str | None, action: str,
                now: datetime) -> None:
    """Log that someone without the role tried ``action`` (or a wrong invite code)."""
    session.add(AccessAttempt(user_id=user_id, address=address, action=action[:64], created_at=now))


async def attempts_since(session: AsyncSession, user_id: int, action: str, since: datetime) -> int:
    """How many times this person was refused ``action`` since then."""
    return int(await session.scalar(
        select(func.count()).select_from(AccessAttempt).where(
            AccessAttempt.user_id == user_id, AccessAttempt.action == action,
            AccessAttempt.created_at >= since)) or 0)


def add_invite(session: AsyncSession, code_hash: str, role: str, now: datetime, expires_at: datetime) -> None:
    session.add(TrainerInvite(code_hash=code_hash, role=role, created_at=now, expires_at=expires_at))


async def unused_invite(session: AsyncSession, code_hash: str) -> TrainerInvite | None:
    """The invite with this code hash that nobody used yet (locked on PostgreSQL), expired or not."""
    query = select(TrainerInvite).where(TrainerInvite.code_hash == code_hash, TrainerInvite.used_at.is_(None))
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()
