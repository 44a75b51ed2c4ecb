"""The outbox table's queries: adding messages, claiming due rows with a lease, writing results.

The outbox's policy (what to claim when, retries, pacing) lives in ``bot.outbox``; this module only
builds the SQL. Message bodies arrive here already as JSON-ready dicts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, OutboxStatus
from storage.raw import Query, Raw, Sql, from_json, in_session
from storage.users import MENU

DUE_COLUMNS = "id, user_id, channel, address, body, attempts, broadcast_id"
_INSERT = Sql("INSERT INTO outbox (user_id, channel, address, kind, body, status, attempts, next_attempt_at, "
              "created_at, broadcast_id) VALUES (:user_id, :channel, :address, :kind, :body, :status, :attempts, "
              ":next_attempt_at, :created_at, :broadcast_id)")


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


_COLUMNS = _INSERT.names


async def insert_messages(session: AsyncSession, messages: Sequence[tuple[int | None, str, str, str, dict[str, Any]]],
                          *, now: datetime, broadcast_id: int | None = None, ids: bool = False,
                          menu: tuple[int, list[list[str]]] | None = None) -> list[int]:
    """Pending rows for many ``(user_id, channel, address, kind, body)`` in one INSERT, in the order given.
    With ``ids``, their ids in that order (INSERT ... RETURNING); without, a plain INSERT (an executemany on
    SQLite, one multi-row statement on PostgreSQL) and ``[]``. ``menu``: ``(user id, menu)``, the buttons
    a message's replies leave shown (``storage.users.remember_menu``), written too: on PostgreSQL in the
    same statement (a CTE), one round trip for both. Not with ``ids``."""
    if not messages:
        return []
    values = [
        {"user_id": user_id, "channel": channel, "address": address, "kind": kind, "body": body,
         "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
         "broadcast_id": broadcast_id}
        for user_id, channel, address, kind, body in messages
    ]
    table = cast(Table, Outbox.__table__)
    if not ids:  # on the driver (it runs for every message): after any row the session still holds
        if any(isinstance(o, Outbox) for o in session.new):
            await session.flush()
        raw = await in_session(session)
        if not raw.postgres:
            if menu is not None:
                await raw.run(MENU, {"id": menu[0], "menu": menu[1]})
            await raw.many(_INSERT, values)
            return []
        q = Query(True)
        head = f"WITH menu AS (UPDATE users SET menu = {q.p(menu[1])} WHERE id = {q.p(menu[0])}) " if menu else ""
        rows = ", ".join("(" + ", ".join(q.p(v[c]) for c in _COLUMNS) + ")" for v in values)
        await raw.run(f"{head}INSERT INTO outbox ({', '.join(_COLUMNS)}) VALUES {rows}", q.args)
        return []
    if menu is not None:
        raise ValueError("menu is written only with a plain insert (ids=False)")
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.scalars(statement, values)).all())


class Due(NamedTuple):
    """A row to send, as a claim takes it."""

    id: int
    user_id: int | None
    channel: str
    address: str
    body: dict[str, Any]
    attempts: int
    broadcast_id: int | None


def due_query(postgres: bool, now: datetime, channels: Iterable[str], *, interactive: bool, limit: int,
              status: str, scopes: Mapping[str, Collection[str]] | None = None) -> Query:
    """The SELECT of ``due_rows`` for one status (``Query.sql``, ``Query.args``)."""
    q = Query(postgres)  # placeholders are positional: made in the order they appear in the text
    channels = list(channels)
    scopes = {ch: list(addresses) for ch, addresses in (scopes or {}).items() if ch in channels}
    sql = f"SELECT {DUE_COLUMNS} FROM outbox WHERE status = {q.p(status)}"
    if status == OutboxStatus.SENDING:
        sql += f" AND lease_until < {q.p(now)}"
    sql += f" AND broadcast_id IS {'' if interactive else 'NOT '}NULL AND next_attempt_at <= {q.p(now)}"
    where = [f"channel {q.in_([ch for ch in channels if ch not in scopes])}"]
    where += [f"(channel = {q.p(ch)} AND address {q.in_(addresses)})" for ch, addresses in scopes.items()]
    sql += f" AND ({' OR '.join(where)}) ORDER BY {'id' if interactive else 'broadcast_id, id'} LIMIT {q.p(limit)}"
    q.sql = sql + (" FOR UPDATE SKIP LOCKED" if postgres else "")
    return q


async def due_rows(raw: Raw, now: datetime, channels: Iterable[str], *, interactive: bool, limit: int,
                   leases: bool, scopes: Mapping[str, Collection[str]] | None = None) -> list[Due]:
    """The oldest ``limit`` rows due now: replies (``interactive``, in id order) or announcement rows
    (oldest announcement first, each in id order). Both orders follow ``ix_outbox_claim``. With
    ``leases``, rows whose lease ran out (a crashed worker's) too. ``scopes`` limits a channel to some
    addresses (the terminal chat sends only to the person at this terminal; the rest wait for theirs)."""
    channels = list(channels)
    rows: list[Due] = []
    for status in (OutboxStatus.PENDING, OutboxStatus.SENDING) if leases else (OutboxStatus.PENDING,):
        # one query per status: each walks the index in order and stops at the limit
        q = due_query(raw.postgres, now, channels, interactive=interactive, limit=limit, status=status, scopes=scopes)
        rows += [Due(r[0], r[1], r[2], r[3], from_json(r[4]), r[5], r[6]) for r in await raw.fetch(q.sql, q.args)]
    rows.sort(key=lambda r: (r.broadcast_id or 0, r.id))  # the first ``limit`` of both, in that order
    return rows[:limit]


# Messages nobody is waiting for in a conversation: they go after the replies to people who are chatting,
# and a waiting one (held for WhatsApp's window, or due later) never holds a reply back.
BULK_KINDS = frozenset({"announcement", "reminder"})


async def busy_addresses(raw: Raw, rows: Iterable[Due]) -> set[str]:
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
    q = Query(raw.postgres)
    addresses = q.in_({address for address, _ in first})
    q.sql = (f"SELECT address, id, status, broadcast_id, kind FROM outbox WHERE address {addresses} "
             f"AND status {q.in_((OutboxStatus.SENDING, OutboxStatus.PENDING))}")
    busy: set[str] = set()
    for address, row_id, status, broadcast_id, kind in await raw.fetch(q.sql, q.args):
        if row_id in taking:
            continue
        earliest = first.get((address, broadcast_id is None))
        if status == OutboxStatus.SENDING:
            busy.add(address)
        elif earliest is not None and row_id < earliest and (broadcast_id is not None or kind not in BULK_KINDS):
            busy.add(address)  # a waiting reminder (say, held for WhatsApp's window) holds no reply back
    return busy


async def blocked_addresses(raw: Raw, addresses: Iterable[str]) -> set[str]:
    q = Query(raw.postgres)
    q.sql = f"SELECT address FROM addresses WHERE address {q.in_(addresses)} AND blocked = {q.p(True)}"
    return {r[0] for r in await raw.fetch(q.sql, q.args)}


async def _set(raw: Raw, ids: Sequence[int], values: str, *args: Any, only_sending: bool = False) -> int:
    """``UPDATE outbox SET values`` for ``ids`` (500 at a time), optionally only those still being sent."""
    done = 0
    for start in range(0, len(ids), 500):
        q = Query(raw.postgres)
        sets = values.format(*(q.p(a) for a in args))
        q.sql = f"UPDATE outbox SET {sets} WHERE id {q.in_(ids[start:start + 500])}"
        if only_sending:
            q.sql += f" AND status = {q.p(OutboxStatus.SENDING)}"
        done += await raw.run(q.sql, q.args)
    return done


async def lease(raw: Raw, ids: list[int], until: datetime) -> None:
    """Mark rows as being sent until ``until`` (set-based UPDATEs, not one statement per row)."""
    await _set(raw, ids, "status = {}, lease_until = {}", OutboxStatus.SENDING, until)


async def renew_leases(raw: Raw, ids: Sequence[int], until: datetime) -> None:
    """Extend the leases of rows still being sent (a row already done keeps its status)."""
    await _set(raw, ids, "lease_until = {}", until, only_sending=True)


async def release_channels(raw: Raw, channels: Collection[str]) -> int:
    """Every row of these channels still marked as being sent goes back to pending (nobody else sends
    them: a restarted single server's predecessor is dead). Returns how many."""
    q = Query(raw.postgres)
    q.sql = (f"UPDATE outbox SET status = {q.p(OutboxStatus.PENDING)}, lease_until = NULL "
             f"WHERE status = {q.p(OutboxStatus.SENDING)} AND channel {q.in_(channels)}")
    return await raw.run(q.sql, q.args)


async def skip(raw: Raw, ids: list[int], error: str) -> None:
    await _set(raw, ids, "status = {}, error = {}", OutboxStatus.SKIPPED, error)


RESULT_COLUMNS = ("status", "lease_until", "next_attempt_at", "error", "attempts", "external_id", "sent_at")
_RESULTS: dict[tuple[str, ...], Sql] = {}


async def write_results(raw: Raw, rows: list[dict[str, Any]], blocked: list[str]) -> None:
    """Each row's new values (by ``id``; one executemany per set of columns, one plain UPDATE for a single
    row), and the addresses found blocked, all or nothing. (On PostgreSQL without waiting for the WAL
    flush: see ``Database.raw``; given a connection with no transaction open, the usual case, one row's
    result, is one round trip.)"""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(c for c in RESULT_COLUMNS if c in row), []).append(row)
    async with raw.atomic() if len(groups) + bool(blocked) > 1 else nullcontext():
        for columns, group in groups.items():
            sql = _RESULTS.get(columns)
            if sql is None:
                sets = ", ".join(f"{c} = :{c}" for c in columns)
                sql = _RESULTS[columns] = Sql(f"UPDATE outbox SET {sets} WHERE id = :id")
            if len(group) == 1:
                await raw.run(sql, group[0])
            else:
                await raw.many(sql, group)  # one statement, atomic on its own (asyncpg's executemany)
        if blocked:
            q = Query(raw.postgres)
            q.sql = f"UPDATE addresses SET blocked = {q.p(True)} WHERE address {q.in_(blocked)}"
            await raw.run(q.sql, q.args)
