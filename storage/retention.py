"""Housekeeping for operations: pruning old rows in batches (retention), the outbox backlog for metrics,
and the checks behind readiness (the database answers, its schema is at the migrations' head).

What is pruned, and when (``prune`` with the configured days):
- ``seen_messages`` (ids of inbound updates, kept against platform retries) after ``seen_days``;
- outbox replies (not broadcast rows: the delivery reports count those) that are done — sent, delivered,
  read, failed, skipped — after ``outbox_days``, and the matching delivery statuses;
- link codes past their expiry.
Each batch is its own short transaction, so pruning never holds a lock for long.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, alembic_config
from storage.links import DeliveryStatus, LinkCode
from storage.models import Outbox, OutboxStatus, SeenMessage

BATCH = 1000
DONE = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.READ, OutboxStatus.FAILED, OutboxStatus.SKIPPED)


@dataclass(frozen=True)
class Pruned:
    seen: int = 0
    outbox: int = 0
    delivery_statuses: int = 0
    link_codes: int = 0

    @property
    def total(self) -> int:
        return self.seen + self.outbox + self.delivery_statuses + self.link_codes


async def _batches(db: Database, one: Callable[[AsyncSession], Awaitable[int]], batch: int) -> int:
    total = 0
    while True:
        async with db.transaction() as session:
            gone = await one(session)
        total += gone
        if gone < batch:
            return total


async def prune(db: Database, now: datetime, *, seen_days: float, outbox_days: float, batch: int = BATCH) -> Pruned:
    """Delete what is past retention, ``batch`` rows per transaction."""
    seen_before = now - timedelta(days=seen_days)
    outbox_before = now - timedelta(days=outbox_days)

    async def seen(session: AsyncSession) -> int:
        old = select(SeenMessage.channel, SeenMessage.external_id).where(SeenMessage.seen_at < seen_before).limit(batch)
        result: Any = await session.execute(
            delete(SeenMessage).where(tuple_(SeenMessage.channel, SeenMessage.external_id).in_(old)))
        return int(result.rowcount or 0)

    async def outbox(session: AsyncSession) -> int:
        old = (select(Outbox.id).where(Outbox.broadcast_id.is_(None), Outbox.status.in_(DONE),
                                       Outbox.created_at < outbox_before).limit(batch))
        result: Any = await session.execute(delete(Outbox).where(Outbox.id.in_(old)))
        return int(result.rowcount or 0)

    async def statuses(session: AsyncSession) -> int:
        old = (select(DeliveryStatus.channel, DeliveryStatus.external_id)
               .where(DeliveryStatus.updated_at < outbox_before).limit(batch))
        result: Any = await session.execute(
            delete(DeliveryStatus).where(tuple_(DeliveryStatus.channel, DeliveryStatus.external_id).in_(old)))
        return int(result.rowcount or 0)

    async def codes(session: AsyncSession) -> int:
        old = select(LinkCode.code).where(LinkCode.expires_at < now).limit(batch)
        result: Any = await session.execute(delete(LinkCode).where(LinkCode.code.in_(old)))
        return int(result.rowcount or 0)

    return Pruned(seen=await _batches(db, seen, batch), outbox=await _batches(db, outbox, batch),
                  delivery_statuses=await _batches(db, statuses, batch), link_codes=await _batches(db, codes, batch))


async def outbox_backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """Rows pending, and when the oldest pending reply (not a broadcast row) was written: one query, both
    parts walking the claim index (status, broadcast_id, id)."""
    oldest = (select(Outbox.created_at).where(Outbox.status == OutboxStatus.PENDING, Outbox.broadcast_id.is_(None))
              .order_by(Outbox.id).limit(1).scalar_subquery())
    pending = select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.PENDING).scalar_subquery()
    row = (await session.execute(select(pending, oldest))).one()
    at = row[1]
    if isinstance(at, str):  # a bare subquery on SQLite loses the column type
        at = datetime.fromisoformat(at)
    if at is not None and at.tzinfo is None:
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return int(row[0] or 0), at


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


def _revisions(connection: Connection) -> tuple[set[str], set[str]]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current, heads


async def schema_revisions(db: Database) -> tuple[set[str], set[str]]:
    """The database's Alembic revision(s) and the code's head(s): equal when migrations are current."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_revisions)
