"""Queries of trainer roles: one-time invite codes (only their hashes are stored), refused attempts, and the
trainers and admins with their console sessions (the console's people page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.announcements import AccessAttempt, TrainerInvite
from storage.db import is_postgres
from storage.models import Role, User
from storage.sessions import ConsoleSession


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


def add_invite(session: AsyncSession, code_hash: str, role: str, now: datetime, expires_at: datetime
               ) -> TrainerInvite:
    invite = TrainerInvite(code_hash=code_hash, role=role, created_at=now, expires_at=expires_at)
    session.add(invite)
    return invite


async def unused_invite(session: AsyncSession, code_hash: str) -> TrainerInvite | None:
    """The invite with this code hash that nobody used yet (locked on PostgreSQL), expired or not."""
    query = select(TrainerInvite).where(TrainerInvite.code_hash == code_hash, TrainerInvite.used_at.is_(None))
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def staff(session: AsyncSession, idle_since: datetime) -> list[tuple[User, int, datetime | None]]:
    """Trainers and admins, admins first then by name: (person, console sessions still live, last seen in
    the console)."""
    live = (select(func.count()).select_from(ConsoleSession)
            .where(ConsoleSession.user_id == User.id, ConsoleSession.revoked_at.is_(None),
                   ConsoleSession.last_seen_at >= idle_since).correlate(User).scalar_subquery())
    seen = (select(func.max(ConsoleSession.last_seen_at)).where(ConsoleSession.user_id == User.id)
            .correlate(User).scalar_subquery())
    query = (select(User, live, seen).where(User.role.in_([Role.ADMIN, Role.TRAINER]))
             .order_by((User.role == Role.ADMIN).desc(), User.name, User.id))
    return [(user, int(n or 0), last) for user, n, last in (await session.execute(query)).all()]


async def count_admins(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN)) or 0)


async def open_invites(session: AsyncSession, now: datetime) -> list[TrainerInvite]:
    """Invite codes nobody used yet that still work, newest first (the codes themselves are not kept)."""
    query = (select(TrainerInvite).where(TrainerInvite.used_at.is_(None), TrainerInvite.expires_at > now)
             .order_by(TrainerInvite.id.desc()))
    return list((await session.scalars(query)).all())
