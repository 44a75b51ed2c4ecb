"""The trainer console's sign-in: one-time login links and server-side sessions.

Only hashes (SHA-256) of the link tokens and session tokens are stored, so a copy of the database signs
nobody in. A link is used once and expires; a session ends on log-out, revocation or idle time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import is_postgres
from storage.models import Base, utcnow


class ConsoleLogin(Base):
    """A one-time sign-in link (``/admin/login/<token>``): its token's hash, valid until ``expires_at``."""

    __tablename__ = "console_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class ConsoleSession(Base):
    """A signed-in browser: the cookie's token hash, its CSRF token, when it was last used."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    user_agent: Mapped[str | None] = mapped_column(String(200))


def add_login(session: AsyncSession, token_hash: str, user_id: int, now: datetime, expires_at: datetime) -> None:
    session.add(ConsoleLogin(token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at))


async def login_by_hash(session: AsyncSession, token_hash: str) -> ConsoleLogin | None:
    """The link with this token hash, used or not (locked on PostgreSQL, so it is used once)."""
    query = select(ConsoleLogin).where(ConsoleLogin.token_hash == token_hash)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


def add_session(session: AsyncSession, token_hash: str, user_id: int, csrf: str, now: datetime,
                user_agent: str | None) -> ConsoleSession:
    row = ConsoleSession(token_hash=token_hash, user_id=user_id, csrf=csrf, created_at=now, last_seen_at=now,
                         user_agent=(user_agent or "")[:200] or None)
    session.add(row)
    return row


async def live_session(session: AsyncSession, token_hash: str, idle_since: datetime) -> ConsoleSession | None:
    """The session with this token hash if not revoked and used since ``idle_since``."""
    query = select(ConsoleSession).where(ConsoleSession.token_hash == token_hash,
                                         ConsoleSession.revoked_at.is_(None),
                                         ConsoleSession.last_seen_at >= idle_since)
    return (await session.scalars(query)).first()


async def revoke_sessions(session: AsyncSession, now: datetime, *, token_hash: str | None = None,
                          user_id: int | None = None) -> int:
    """End one session (by token hash) or every session of a user; how many ended."""
    query = update(ConsoleSession).where(ConsoleSession.revoked_at.is_(None)).values(revoked_at=now)
    if token_hash is not None:
        query = query.where(ConsoleSession.token_hash == token_hash)
    if user_id is not None:
        query = query.where(ConsoleSession.user_id == user_id)
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
