"""The outbox: replies stored with the state change, sent after commit, retried, rate limited.

``enqueue`` writes a row inside the handler's transaction. ``OutboxWorker`` claims due rows (with a
lease, so rows held by a crashed worker are taken again), sends each address's messages in order through
that channel's ``Sender``, honours the channel's overall rate and per-address rate, and writes results
back in small batches. What a sender raises decides the row's fate:

- ``RetryLater(s)`` (429 / retry_after): the address pauses ``s`` seconds, then the same message again;
- ``Blocked`` (403, opted out at the platform): the address is marked blocked, its queue skipped;
- ``Held`` (e.g. outside WhatsApp's 24-hour window without a template): kept as held, never dropped;
- ``Permanent``: failed with the reason; anything else: retried with backoff, then failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Clock, SystemClock
from bot.types import Blocked, Held, Permanent, Reply, RetryLater, Sent
from storage.db import Database, is_postgres
from storage.models import Address, Outbox, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)
LEASE_CHECK = timedelta(seconds=5)  # how often a claim also looks for rows whose lease ran out
LONG_PAUSE = 30.0  # a retry_after longer than this puts the address's rows back in the table
# Pace a little under a platform's rate: its counting window and ours never line up exactly. With 0.98
# bench/broadcast.py drew 105-271 429s a run, with 0.97 20-127, for the same achieved rate (~0.955).
HEADROOM = 0.97
BURST = 0.04  # seconds of sending a channel may save up while the event loop was busy elsewhere
CLAIM_INTERVAL = 0.05  # seconds between claims while busy
BULK_KINDS = frozenset({"announcement", "reminder"})  # wait behind replies to people who are chatting


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
    row = Outbox(
        user_id=user_id,
        channel=channel,
        address=address,
        kind=reply.kind,
        body=reply.to_dict(),
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        broadcast_id=broadcast_id,
    )
    session.add(row)
    return row


async def enqueue_many(
    session: AsyncSession,
    messages: list[tuple[int | None, str, str, Reply]],
    *,
    now: datetime,
    broadcast_id: int | None = None,
    ids: bool = False,
) -> list[int]:
    """``enqueue`` for many ``(user_id, channel, address, reply)`` at once: one INSERT, ids in the order
    given (so each address's messages keep their order). With ``ids``, returns them in that order
    (INSERT ... RETURNING); without, a plain executemany (cheaper for a reply or two) and ``[]``."""
    if not messages:
        return []
    values = [
        {"user_id": user_id, "channel": channel, "address": address, "kind": reply.kind, "body": reply.to_dict(),
         "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
         "broadcast_id": broadcast_id}
        for user_id, channel, address, reply in messages
    ]
    table = cast(Table, Outbox.__table__)
    if not ids:
        await session.execute(insert(table), values)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.scalars(statement, values)).all())


_CLAIM_COLUMNS = (Outbox.id, Outbox.user_id, Outbox.channel, Outbox.address, Outbox.body, Outbox.attempts,
                  Outbox.broadcast_id)


def channel_bucket(sender: Sender) -> TokenBucket:
    """The channel's overall pace: a little under its rate, and never more than that in any one second.

    Tokens saved for up to ``BURST`` seconds make up for moments the event loop was busy elsewhere (a
    claim, a flush). More than that sent in bursts, and the one-second window replayed each burst a
    second later: arrivals at the platform bunched past its limit (bench/broadcast.py with a quarter
    second: ~1,500 429s and 0.89 of the rate; with 40 ms: ~200 429s). The window keeps the catch-up from
    exceeding the rate the platform counts.
    """
    rate = sender.rate * HEADROOM
    return TokenBucket(rate, max(1.0, rate * BURST), per_second=max(1, int(rate)))


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    user_id: int | None
    channel: str
    address: str
    reply: Reply
    attempts: int
    broadcast_id: int | None


class Sender(Protocol):
    """Renders a channel-neutral reply for one platform and sends it."""

    channel: str
    rate: float  # messages per second across all addresses
    address_rate: float  # messages per second to one address
    address_burst: int

    async def send(self, delivery: Delivery) -> Sent: ...


class TokenBucket:
    """``rate`` tokens a second, up to ``burst`` saved, and (if ``per_second``) at most that many handed
    out in any one-second window. Waiters are served first come, first served, with ``priority`` waiters
    (people waiting for a reply) ahead of the rest (broadcasts, reminders). One timer hands tokens out, so
    thousands of waiting addresses cost no more than one."""

    def __init__(self, rate: float, burst: float, per_second: int | None = None) -> None:
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.paused_until = 0.0
        self.per_second = per_second
        self._granted: deque[float] = deque()  # when tokens went out in the last second (per_second only)
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()
        self._pump: asyncio.Task[None] | None = None

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def _window_wait(self, now: float) -> float:
        """Seconds until the one-second window has room for another token (0: room now)."""
        if self.per_second is None:
            return 0.0
        horizon = now - 1.0
        granted = self._granted
        while granted and granted[0] <= horizon:
            granted.popleft()
        if len(granted) < self.per_second:
            return 0.0
        return granted[0] - horizon

    def _take(self, now: float) -> None:
        self.tokens -= 1
        if self.per_second is not None:
            self._granted.append(now)

    @property
    def waiting(self) -> int:
        return len(self._urgent) + len(self._normal)

    async def acquire(self, priority: bool = False) -> None:
        now = time.monotonic()
        if not self.waiting and now >= self.paused_until:
            self._refill(now)
            if self.tokens >= 1 and not self._window_wait(now):
                self._take(now)
                return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if priority else self._normal).append(future)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._hand_out())
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.tokens = min(self.capacity, self.tokens + 1)  # granted but not used: give it back
            raise

    async def _hand_out(self) -> None:
        while self._urgent or self._normal:
            now = time.monotonic()
            if now < self.paused_until:
                await asyncio.sleep(self.paused_until - now)
                continue
            self._refill(now)
            window = 0.0
            while self.tokens >= 1 and (self._urgent or self._normal):
                window = self._window_wait(now)
                if window:
                    break
                future = (self._urgent or self._normal).popleft()
                if not future.done():
                    future.set_result(None)
                    self._take(now)
            if self._urgent or self._normal:
                await asyncio.sleep(max((1 - self.tokens) / self.rate, window, 0.0005))

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    held: int = 0
    skipped: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        senders: dict[str, Sender],
        clock: Clock | None = None,
        *,
        batch: int = 200,
        max_in_flight: int = 2000,
        on_result: Callable[[int, str], None] | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock or SystemClock()
        self.batch = batch
        self.max_in_flight = max_in_flight
        self.stats = Stats()
        self.on_result = on_result
        self._wake = asyncio.Event()
        self._queues: dict[str, deque[Delivery]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._results: list[dict[str, Any]] = []
        self._blocked: set[str] = set()
        self._buckets: dict[str, TokenBucket] = {ch: channel_bucket(s) for ch, s in senders.items()}
        self._address_buckets: dict[str, TokenBucket] = {}
        self._stopping = False
        self._lease_check: datetime | None = None  # when to look again for rows a crashed worker held

    # --- public ----------------------------------------------------------------------------------
    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender
        self._buckets[sender.channel] = channel_bucket(sender)

    def wake(self) -> None:
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._tasks)

    async def run(self, idle_poll: float = 1.0) -> None:
        """Send until cancelled. Polls the table every ``idle_poll`` s; ``wake()`` cuts the wait."""
        flusher = asyncio.create_task(self._flush_loop())
        try:
            while not self._stopping:
                self._wake.clear()
                claimed = await self._claim_and_start()  # it keeps to max_in_flight for broadcasts
                if claimed == 0 or self.in_flight >= self.max_in_flight:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), idle_poll)
                # A claim is a query: gather what arrives for a moment rather than claim on every result.
                await asyncio.sleep(CLAIM_INTERVAL)
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
            await self._stop_tasks()
            await self.flush()

    async def drain(self, rounds: int = 100) -> int:
        """Send everything due now and wait for it (tests, the terminal chat). Returns rows handled."""
        handled = 0
        for _ in range(rounds):
            claimed = await self._claim_and_start()
            if self._tasks:
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
            await self.flush()
            handled += claimed
            if claimed == 0 and not self._tasks:
                break
        return handled

    async def flush(self) -> None:
        """Write collected results in one transaction."""
        if not self._results:
            return
        results, self._results = self._results, []
        blocked = sorted({r["_blocked"] for r in results if "_blocked" in r})
        rows = [{k: v for k, v in r.items() if k != "_blocked"} for r in results]
        try:
            async with self.db.transaction(urgent=True) as session:
                await session.execute(update(Outbox), rows)
                if blocked:
                    await session.execute(
                        update(Address).where(Address.address.in_(blocked)).values(blocked=True)
                    )
        except Exception:
            self._results = results + self._results  # keep them for the next flush
            raise
        self._wake.set()  # the addresses just written are free for their next messages
        if self.on_result:
            for r in rows:
                self.on_result(r["id"], r["status"])

    # --- claiming --------------------------------------------------------------------------------
    async def _claim_and_start(self) -> int:
        now = self.clock.now()
        # Replies to people chatting are claimed whatever the broadcasts in flight (up to a batch more);
        # broadcast rows only while fewer than max_in_flight are waiting.
        if self.in_flight >= self.max_in_flight + self.batch:
            return 0
        async with self.db.transaction(urgent=True) as session:
            # Plain columns, not ORM rows: a claim may take hundreds of rows several times a second.
            # Pending rows and rows whose lease ran out (a crashed worker's) are asked for separately:
            # each query then walks an index in id order and stops at the limit, where one query over
            # both statuses sorted every due row (~50 ms with 18,000 announcement rows waiting).
            postgres = is_postgres(session)
            queued = self._in_queue_ids()
            leases = self._lease_check is None or now >= self._lease_check  # crashes are rare: look now and then
            if leases:
                self._lease_check = now + LEASE_CHECK
            rows = await self._due(session, now, interactive=True, limit=self.batch, postgres=postgres,
                                   leases=leases)
            rows = [r for r in rows if r.id not in queued]
            # Broadcast rows a whole batch at a time, once there is room for one (fewer, larger claims).
            waiting = sum(len(q) for q in self._queues.values()) + len(rows)
            bulk_limit = min(self.batch, self.max_in_flight - waiting)
            if bulk_limit >= min(self.batch, self.max_in_flight // 2):
                bulk = await self._due(session, now, interactive=False, limit=bulk_limit, postgres=postgres,
                                       leases=leases)
                rows += [r for r in bulk if r.id not in queued]
            if not rows:
                return 0
            # One sender per address at a time, also across workers: keeps each chat in order. Addresses
            # with a message out (leased, not expired) wait for a later claim. One query for the batch,
            # not a correlated subquery per candidate row (which scanned every leased row per candidate).
            addresses = {r.address for r in rows}
            busy = set(
                (await session.scalars(select(Outbox.address).where(
                    Outbox.status == OutboxStatus.SENDING, Outbox.lease_until >= now,
                    Outbox.address.in_(addresses)).distinct())).all()
            )
            if busy:
                rows = [r for r in rows if r.address not in busy]
                if not rows:
                    return 0
                addresses = {r.address for r in rows}
            blocked = set(
                (await session.scalars(select(Address.address).where(
                    Address.address.in_(addresses), Address.blocked.is_(True)))).all()
            )
            # Two set-based UPDATEs, not one statement per row (a claim of 200 rows took ~30 ms that way).
            taken = [r.id for r in rows if r.address not in blocked]
            if taken:
                await session.execute(update(Outbox).where(Outbox.id.in_(taken))
                                      .values(status=OutboxStatus.SENDING, lease_until=now + LEASE))
            if blocked:
                await session.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows if r.address in blocked]))
                                      .values(status=OutboxStatus.SKIPPED, error="blocked"))
        started = 0
        for r in rows:
            if r.address in blocked:
                self.stats.skipped += 1
                continue
            delivery = Delivery(r.id, r.user_id, r.channel, r.address, Reply.from_dict(r.body), r.attempts,
                                r.broadcast_id)
            self._queues.setdefault(r.address, deque()).append(delivery)
            started += 1
            if r.address not in self._tasks:
                self._tasks[r.address] = asyncio.create_task(self._address_loop(r.address))
        return len(rows)

    async def _due(self, session: AsyncSession, now: datetime, *, interactive: bool, limit: int,
                   postgres: bool, leases: bool) -> list[Any]:
        """The oldest ``limit`` rows due now: replies (``interactive``, in id order) or announcement rows
        (oldest announcement first, each in id order). Both orders follow ``ix_outbox_claim``. With
        ``leases``, rows whose lease ran out (a crashed worker's) too."""
        kind = Outbox.broadcast_id.is_(None) if interactive else Outbox.broadcast_id.is_not(None)
        order = (Outbox.id,) if interactive else (Outbox.broadcast_id, Outbox.id)
        base = select(*_CLAIM_COLUMNS).where(kind, Outbox.next_attempt_at <= now,
                                             Outbox.channel.in_(list(self.senders)))
        wanted = [Outbox.status == OutboxStatus.PENDING]
        if leases:
            wanted.append((Outbox.status == OutboxStatus.SENDING) & (Outbox.lease_until < now))
        rows: list[Any] = []
        for condition in wanted:  # one query per status: each walks the index in order and stops at the limit
            query = base.where(condition).order_by(*order).limit(limit)
            if postgres:
                query = query.with_for_update(skip_locked=True)
            rows += (await session.execute(query)).all()
        rows.sort(key=lambda r: (r.broadcast_id or 0, r.id))  # the first ``limit`` of both, in that order
        return rows[:limit]

    def _in_queue_ids(self) -> set[int]:
        return {d.id for q in self._queues.values() for d in q}

    # --- sending ---------------------------------------------------------------------------------
    def _address_bucket(self, sender: Sender, address: str) -> TokenBucket:
        bucket = self._address_buckets.get(address)
        if bucket is None:
            bucket = self._address_buckets[address] = TokenBucket(sender.address_rate, sender.address_burst)
            if len(self._address_buckets) > 100_000:  # forget idle addresses
                for key in list(self._address_buckets)[:50_000]:
                    del self._address_buckets[key]
        return bucket

    async def _address_loop(self, address: str) -> None:
        queue = self._queues[address]
        try:
            while queue:
                if self._stopping:  # stop between messages; what is left goes back to the table
                    for later in queue:
                        self._record(later.id, OutboxStatus.PENDING, lease_until=None)
                    queue.clear()
                    break
                delivery = queue[0]
                sender = self.senders[delivery.channel]
                outcome = await self._send_one(sender, delivery)
                if outcome == "retry-same":
                    continue
                queue.popleft()
                if outcome == "release-rest":
                    for later in queue:
                        self._record(later.id, OutboxStatus.PENDING, lease_until=None)
                    queue.clear()
                elif outcome == "blocked":
                    for later in queue:
                        self.stats.skipped += 1
                        self._record(later.id, OutboxStatus.SKIPPED, error="blocked")
                    queue.clear()
        finally:
            self._queues.pop(address, None)
            self._tasks.pop(address, None)

    async def _send_one(self, sender: Sender, d: Delivery) -> str:
        await self._address_bucket(sender, d.address).acquire()
        await self._buckets[d.channel].acquire(priority=d.broadcast_id is None and d.reply.kind not in BULK_KINDS)
        try:
            sent = await sender.send(d)
        except RetryLater as exc:
            self.stats.rate_limited += 1
            if exc.seconds <= LONG_PAUSE:
                self._address_bucket(sender, d.address).pause(exc.seconds)
                return "retry-same"
            self._record(d.id, OutboxStatus.PENDING, lease_until=None,
                         next_attempt_at=self.clock.now() + timedelta(seconds=exc.seconds))
            return "release-rest"
        except Blocked as exc:
            self.stats.failed += 1
            self._record(d.id, OutboxStatus.FAILED, error=f"blocked: {exc}"[:500], _blocked=d.address)
            return "blocked"
        except Held as exc:
            self.stats.held += 1
            self._record(d.id, OutboxStatus.HELD, error=str(exc)[:500], lease_until=None)
            return "next"
        except Permanent as exc:
            self.stats.failed += 1
            self._record(d.id, OutboxStatus.FAILED, error=str(exc)[:500], attempts=d.attempts + 1)
            return "next"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network trouble, 5xx, anything unexpected: back off and retry
            attempts = d.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.warning("giving up on outbox %s after %s attempts: %s", d.id, attempts, exc)
                self.stats.failed += 1
                self._record(d.id, OutboxStatus.FAILED, error=repr(exc)[:500], attempts=attempts)
                return "next"
            self.stats.retried += 1
            delay = min(2.0**attempts, 300.0)
            self._record(d.id, OutboxStatus.PENDING, error=repr(exc)[:500], attempts=attempts, lease_until=None,
                         next_attempt_at=self.clock.now() + timedelta(seconds=delay))
            return "release-rest"
        self.stats.sent += 1
        self._record(d.id, sent.status, external_id=sent.external_id, sent_at=self.clock.now(),
                     attempts=d.attempts + 1, error=None)
        return "next"

    def _record(self, row_id: int, status: str, **values: Any) -> None:
        self._results.append({"id": row_id, "status": status, **values})

    async def _flush_loop(self, every: float = 0.05) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.flush()
            except Exception:  # keep the results; try again next tick
                log.exception("outbox flush failed")

    async def _stop_tasks(self, grace: float = 5.0) -> None:
        """Let each address finish the message it is sending; the rest go back to pending."""
        self._stopping = True
        tasks = list(self._tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def stop(self) -> None:
        self._stopping = True
        self.wake()
