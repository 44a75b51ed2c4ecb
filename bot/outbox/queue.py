"""The stored side of the outbox: putting replies in (``enqueue``, ``enqueue_many``) and claiming due rows
with a lease (``claim``), so rows held by a crashed worker are taken again once the lease runs out.
A live worker renews its leases (``renew``); what it still holds when it stops goes back as pending with its
results, and a restarted single server takes back all its predecessor held (``release_all``).
The SQL is in ``storage.outbox``; this module decides what to claim.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.sender import Delivery
from bot.types import Reply
from storage import outbox as table
from storage.models import Outbox
from storage.outbox import Due
from storage.raw import Raw

MAX_ATTEMPTS = 8
# A live worker renews the leases of every row it holds (``renew``) every LEASE_RENEW; a dead one's run out
# within LEASE of its last renewal, and the next claim (within LEASE_CHECK) takes them: a restarted
# process carries on within about LEASE + LEASE_CHECK of a crash, never a fixed long wait.
LEASE = timedelta(seconds=15)
LEASE_RENEW = timedelta(seconds=5)
LEASE_CHECK = timedelta(seconds=1)  # how often a claim also looks for rows whose lease ran out


def enqueue(
    session: AsyncSession,
    user_id: int | None,
    channel: str,
    address: str,
    reply: Reply,
    *,
    now: datetime,
    broadcast_id: int | None = None,
) -> Outbox:
    return table.add_message(session, user_id, channel, address, reply.kind, reply.to_dict(), now=now,
                             broadcast_id=broadcast_id)


async def enqueue_many(
    session: AsyncSession,
    messages: list[tuple[int | None, str, str, Reply]],
    *,
    now: datetime,
    broadcast_id: int | None = None,
    ids: bool = False,
    menu: tuple[int, list[list[str]]] | None = None,
) -> list[int]:
    """``enqueue`` for many ``(user_id, channel, address, reply)`` at once: one INSERT, ids in the order
    given (so each address's messages keep their order). With ``ids``, returns them in that order
    (INSERT ... RETURNING); without, a plain INSERT (cheaper for a reply or two) and ``[]``. ``menu``
    (``(user id, menu)``, with a plain INSERT) is written with the rows (``storage.outbox.insert_messages``),
    not when there are none."""
    if not messages:
        return []
    rows = [(user_id, channel, address, reply.kind, reply.to_dict()) for user_id, channel, address, reply in messages]
    return await table.insert_messages(session, rows, now=now, broadcast_id=broadcast_id, ids=ids, menu=menu)


async def claim(
    raw: Raw,
    now: datetime,
    channels: Iterable[str],
    *,
    batch: int,
    max_in_flight: int,
    waiting: int,
    queued: Collection[int],
    leases: bool,
    scopes: Mapping[str, Collection[str]] | None = None,
) -> tuple[list[Due], set[str]]:
    """Lease the rows to send next; returns them and the blocked addresses among them (their rows are
    marked skipped, not leased).

    Replies to people chatting are claimed whatever the broadcasts in flight (up to a ``batch``);
    broadcast rows a whole batch at a time, once fewer than ``max_in_flight`` wait (``waiting`` already
    do in memory, ``queued`` are their ids). Pending rows and rows whose lease ran out (a crashed
    worker's, looked for only with ``leases``) are asked for separately: each query then walks an index
    in id order and stops at the limit, where one query over both statuses sorted every due row (~50 ms
    with 18,000 announcement rows waiting).
    """
    channels = list(channels)
    rows = await table.due_rows(raw, now, channels, interactive=True, limit=batch, leases=leases, scopes=scopes)
    rows = [r for r in rows if r.id not in queued]
    # Broadcast rows a whole batch at a time, once there is room for one (fewer, larger claims).
    bulk_limit = min(batch, max_in_flight - (waiting + len(rows)))
    if bulk_limit >= min(batch, max_in_flight // 2):
        bulk = await table.due_rows(raw, now, channels, interactive=False, limit=bulk_limit, leases=leases,
                                    scopes=scopes)
        rows += [r for r in bulk if r.id not in queued]
    if not rows:
        return [], set()
    # One sender per address at a time, also across workers: keeps each chat in order. Addresses with a
    # message out (leased; or a dead worker's, until a claim takes it again), or an earlier one still to
    # send that this claim did not get, wait for a later claim.
    busy = await table.busy_addresses(raw, rows)
    addresses = {r.address for r in rows}
    if busy:
        rows = [r for r in rows if r.address not in busy]
        if not rows:
            return [], set()
        addresses = {r.address for r in rows}
    blocked = await table.blocked_addresses(raw, addresses)
    # Two set-based UPDATEs, not one statement per row (a claim of 200 rows took ~30 ms that way).
    await table.lease(raw, [r.id for r in rows if r.address not in blocked], now + LEASE)
    if blocked:
        await table.skip(raw, [r.id for r in rows if r.address in blocked], "blocked")
    return rows, blocked


async def renew(raw: Raw, ids: Collection[int], now: datetime) -> None:
    """Extend the leases of rows this worker still holds (queued or being sent)."""
    await table.renew_leases(raw, sorted(ids), now + LEASE)


async def release_all(raw: Raw, channels: Collection[str]) -> int:
    """The only server of a database starting: rows its dead predecessor held are free at once, not
    when their lease runs out."""
    return await table.release_channels(raw, channels)


def delivery(row: Due) -> Delivery:
    """A claimed row as its sender gets it."""
    return Delivery(row.id, row.user_id, row.channel, row.address, Reply.from_dict(row.body), row.attempts,
                    row.broadcast_id)
