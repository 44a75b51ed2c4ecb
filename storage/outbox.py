"""The outbox table's queries: adding messages, claiming due rows with a lease, writing results.

The outbox's policy (what to claim when, retries, pacing) lives in ``bot.outbox``; this module only
builds the SQL. Message bodies arrive here already as JSON-ready dicts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import is_postgres
from storage.models import Address, Outbox, OutboxStatus

CLAIM_COLUMNS = (Outbox.id, Outbox.user_id, Outbox.channel, Outbox.address, Outbox.body, Outbox.attempts,
                 Outbox.broadcast_id)


def add_message(session: AsyncSession, user_id: int | None, channel: str, address: str, kind: str,
                body: dict[str, Any], *, now: datetime, broadcast_id: int | None = None) -> Outbox:
    """One pending row, added to the session (written with the handler's transaction)."""
    row = Outbox(
        user_id=user_id,
        channel=channel,
        address=address,
        kind=kind,
        body=body,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        broadcast_id=broadcast_id,
    )
    session.add(row)
    return row


async def insert_messages(session: AsyncSession, messages: Sequence[tuple[int | None, str, str, str, dict[str, Any]]],
                          *, now: datetime, broadcast_id: int | None = None, ids: bool = False) -> list[int]:
    """Pending rows for many ``(user_id, channel, address, kind, body)`` in one INSERT, in the order given.
    With ``ids``, their ids in that order (INSERT ... RETURNING); without, a plain executemany and ``[]``."""
    if not messages:
        return []
    values = [
        {"user_id": user_id, "channel": channel, "address": address, "kind": kind, "body": body,
         "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
         "broadcast_id": broadcast_id}
        for user_id, channel, address, kind, body in messages
    ]
    table = cast(Table, Outbox.__table__)
    if not ids:
        await session.execute(insert(table), values)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.scalars(statement, values)).all())


async def due_rows(session: AsyncSession, now: datetime, channels: Iterable[str], *, interactive: bool, limit: int,
                   postgres: bool, leases: bool,
                   scopes: Mapping[str, Collection[str]] | None = None) -> list[Row[Any]]:
    """The oldest ``limit`` rows due now: replies (``interactive``, in id order) or announcement rows
    (oldest announcement first, each in id order). Both orders follow ``ix_outbox_claim``. With
    ``leases``, rows whose lease ran out (a crashed worker's) too. ``scopes`` limits a channel to some
    addresses (the terminal chat sends only to the person at this terminal; the rest wait for theirs)."""
    kind = Outbox.broadcast_id.is_(None) if interactive else Outbox.broadcast_id.is_not(None)
    order = (Outbox.id,) if interactive else (Outbox.broadcast_id, Outbox.id)
    channels = list(channels)
    scopes = {ch: list(addresses) for ch, addresses in (scopes or {}).items() if ch in channels}
    if scopes:
        free = [ch for ch in channels if ch not in scopes]
        where = or_(Outbox.channel.in_(free),
                    *((Outbox.channel == ch) & Outbox.address.in_(addresses) for ch, addresses in scopes.items()))
    else:
        where = Outbox.channel.in_(channels)
    base = select(*CLAIM_COLUMNS).where(kind, Outbox.next_attempt_at <= now, where)
    wanted = [Outbox.status == OutboxStatus.PENDING]
    if leases:
        wanted.append((Outbox.status == OutboxStatus.SENDING) & (Outbox.lease_until < now))
    rows: list[Row[Any]] = []
    for condition in wanted:  # one query per status: each walks the index in order and stops at the limit
        query = base.where(condition).order_by(*order).limit(limit)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        rows += (await session.execute(query)).all()
    rows.sort(key=lambda r: (r.broadcast_id or 0, r.id))  # the first ``limit`` of both, in that order
    return rows[:limit]


# Messages nobody is waiting for in a conversation: they go after the replies to people who are chatting,
# and a waiting one (held for WhatsApp's window, or due later) never holds a reply back.
BULK_KINDS = frozenset({"announcement", "reminder"})


async def busy_addresses(session: AsyncSession, rows: Iterable[Row[Any]]) -> set[str]:
    """Addresses among ``rows`` (a claim's candidates) whose rows must wait: the address has a message out
    (being sent, leased to this or another worker) other than these rows, or an earlier message of the
    same kind (a reply before a reply, an announcement row before one) not sent yet and not among them:
    due later after a retry, or just taken by another worker whose claim has not committed. One query for
    the batch (not a correlated subquery per candidate row), then per address: each chat's replies go out
    one at a time and in order, whichever worker sends them. A row whose lease ran out but that no claim
    has taken again still holds its address."""
    first: dict[tuple[str, bool], int] = {}
    taking: set[int] = set()
    for r in rows:
        taking.add(r.id)
        key = (r.address, r.broadcast_id is None)
        first[key] = min(r.id, first.get(key, r.id))
    if not first:
        return set()
    query = select(Outbox.address, Outbox.id, Outbox.status, Outbox.broadcast_id, Outbox.kind).where(
        Outbox.address.in_({address for address, _ in first}),
        Outbox.status.in_((OutboxStatus.SENDING, OutboxStatus.PENDING)))
    busy: set[str] = set()
    for address, row_id, status, broadcast_id, kind in (await session.execute(query)).all():
        if row_id in taking:
            continue
        earliest = first.get((address, broadcast_id is None))
        if status == OutboxStatus.SENDING:
            busy.add(address)
        elif earliest is not None and row_id < earliest and (broadcast_id is not None or kind not in BULK_KINDS):
            busy.add(address)  # a waiting reminder (say, held for WhatsApp's window) holds no reply back
    return busy


async def blocked_addresses(session: AsyncSession, addresses: Iterable[str]) -> set[str]:
    return set((await session.scalars(select(Address.address).where(
        Address.address.in_(addresses), Address.blocked.is_(True)))).all())


async def lease(session: AsyncSession, ids: list[int], until: datetime) -> None:
    """Mark rows as being sent until ``until`` (one set-based UPDATE, not one statement per row)."""
    if ids:
        await session.execute(update(Outbox).where(Outbox.id.in_(ids))
                              .values(status=OutboxStatus.SENDING, lease_until=until))


async def renew_leases(session: AsyncSession, ids: Sequence[int], until: datetime) -> None:
    """Extend the leases of rows still being sent (a row already done keeps its status)."""
    for start in range(0, len(ids), 500):
        await session.execute(update(Outbox).where(Outbox.id.in_(ids[start:start + 500]),
                                                   Outbox.status == OutboxStatus.SENDING).values(lease_until=until))


async def release_leases(session: AsyncSession, ids: Sequence[int]) -> None:
    """Rows still leased go back to pending, free for any worker at once."""
    for start in range(0, len(ids), 500):
        await session.execute(update(Outbox).where(Outbox.id.in_(ids[start:start + 500]),
                                                   Outbox.status == OutboxStatus.SENDING)
                              .values(status=OutboxStatus.PENDING, lease_until=None))


async def release_channels(session: AsyncSession, channels: Collection[str]) -> int:
    """Every row of these channels still marked as being sent goes back to pending (nobody else sends
    them: a restarted single server's predecessor is dead). Returns how many."""
    done = await session.execute(update(Outbox).where(Outbox.status == OutboxStatus.SENDING,
                                                      Outbox.channel.in_(list(channels)))
                                 .values(status=OutboxStatus.PENDING, lease_until=None))
    return int(done.rowcount)  # type: ignore[attr-defined]


async def skip(session: AsyncSession, ids: list[int], error: str) -> None:
    if ids:
        await session.execute(update(Outbox).where(Outbox.id.in_(ids))
                              .values(status=OutboxStatus.SKIPPED, error=error))


async def write_results(session: AsyncSession, rows: list[dict[str, Any]], blocked: list[str]) -> None:
    """Each row's new values (by ``id``, one executemany), and the addresses found blocked.

    On PostgreSQL without waiting for the WAL flush: a crash of the bot cannot lose the commit (the
    server has it), and a crash of the database server could at worst send a message again, never lose
    one. Each message's result is written before the next is sent, so the fsync wait mattered."""
    if is_postgres(session):
        await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    await session.execute(update(Outbox), rows)
    if blocked:
        await session.execute(update(Address).where(Address.address.in_(blocked)).values(blocked=True))
