"""The audit log: every action taken in the trainer console or by the admin command line, written once.

Who (``actor_id``, and ``actor`` as shown then: a name, or ``cli`` for the server's shell), when, what
(``action``, a dotted name such as ``listing.approve``), on which record (``target``, e.g. ``listing:42``),
from which address (the browser's IP, or ``cli``) and any detail (short JSON). Rows are only ever
inserted: nothing in the console updates or deletes them (the retention job does not touch them either).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Select

from storage.models import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


async def record(session: AsyncSession, *, at: datetime, actor_id: int | None, actor: str, action: str,
                 target: str | None = None, address: str | None = None,
                 detail: dict[str, Any] | None = None) -> AuditEntry:
    """Write one audit row in the caller's transaction (so it lands exactly when the action does)."""
    entry = AuditEntry(at=at, actor_id=actor_id, actor=actor[:100], action=action[:60],
                       target=target[:100] if target else None, address=address[:64] if address else None,
                       detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None)
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None  # a prefix: "listing" matches "listing.approve"
    actor_id: int | None = None
    cli: bool = False  # only the admin command line's rows
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _query(f: AuditFilter) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if f.action:
        query = query.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.actor_id is not None:
        query = query.where(AuditEntry.actor_id == f.actor_id)
    if f.cli:
        query = query.where(AuditEntry.actor_id.is_(None), AuditEntry.actor == "cli")
    if f.target:
        query = query.where(AuditEntry.target == f.target)
    if f.since:
        query = query.where(AuditEntry.at >= f.since)
    if f.until:
        query = query.where(AuditEntry.at < f.until)
    return query


async def entries(session: AsyncSession, f: AuditFilter, *, before_id: int | None = None,
                  limit: int = 50) -> list[AuditEntry]:
    """Newest first, paged by key (``before_id``)."""
    query = _query(f)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list((await session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit))).all())


async def stream(session: AsyncSession, f: AuditFilter) -> AsyncIterator[AuditEntry]:
    """Every matching row, oldest first, streamed (the CSV export)."""
    result = await session.stream_scalars(_query(f).order_by(AuditEntry.id).execution_options(yield_per=500))
    async for entry in result:
        yield entry


async def actors(session: AsyncSession, limit: int = 200) -> list[tuple[int, str]]:
    """(actor id, latest name) of the people in the log, by name: the console's actor filter."""
    result = await session.execute(
        select(AuditEntry.actor_id, func.max(AuditEntry.actor)).where(AuditEntry.actor_id.is_not(None))
        .group_by(AuditEntry.actor_id).order_by(func.max(AuditEntry.actor)).limit(limit))
    return [(int(actor_id or 0), name) for actor_id, name in result.all()]
