"""The outbox worker: replies stored with the state change, sent after commit, retried, rate limited.

``enqueue`` (``bot.outbox.queue``) writes a row inside the handler's transaction. ``OutboxWorker``
claims due rows (with a lease, so rows held by a crashed worker are taken again), sends each address's
messages in order through that channel's ``Sender`` (``bot.outbox.sender``), honours the channel's
overall rate and per-address rate, and writes results back in small batches. What a sender raises
decides the row's fate:

- ``RetryLater(s)`` (429 / retry_after): the address pauses ``s`` seconds, then the same message again;
- ``Blocked`` (403, opted out at the platform): the address is marked blocked, its queue skipped;
- ``Held`` (e.g. outside WhatsApp's 24-hour window without a template): kept as held, never dropped;
- ``Permanent``: failed with the reason; anything else: retried with backoff, then failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.context import Clock, SystemClock
from bot.metrics import SendResult, count_send
from bot.outbox.queue import LEASE_CHECK, LEASE_RENEW, MAX_ATTEMPTS, claim, delivery, release_all, renew
from bot.outbox.sender import Delivery, Sender, SendWindow, TokenBucket, channel_bucket, share_bucket, urgent
from bot.outbox.share import Workers
from bot.types import Blocked, Held, Permanent, RetryLater
from storage.db import Database
from storage.models import OutboxStatus
from storage.outbox import write_results

log = logging.getLogger(__name__)

LONG_PAUSE = 30.0  # a retry_after longer than this puts the address's rows back in the table
CLAIM_INTERVAL = 0.05  # seconds between claims while busy
# Sharing channels with other workers, hold broadcast rows for about this many seconds of our share of the
# rate (not ``max_in_flight``): a worker holding more would send them at its share while the others, finding
# nothing left to claim, idle (5 s of rows: an announcement to 1,000 reached 0.49-0.81 of the allowed rate
# with two workers; 1 s: 0.96, bench/workers.py).
LOOKAHEAD = 1.0


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
        unconfirmed: int = 1,
        share: bool = False,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock or SystemClock()
        self.batch = batch
        self.max_in_flight = self._max_in_flight = max_in_flight
        # Messages sent whose result is not written yet: a crash repeats at most these (one by default).
        self.window = SendWindow(unconfirmed)
        # PostgreSQL with ``share``: a heartbeat, and each channel paced at rate ÷ live workers.
        self.workers = Workers(db, self._share) if share and not db.is_sqlite else None
        self._sharing = 1
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
        self._unflushed: set[int] = set()  # rows sent (or failed) whose result is not written yet
        self._has_results = asyncio.Event()
        self._flushed = asyncio.Event()  # replaced after each flush: its waiters look again
        self._flushing = False  # a flush loop runs (``run``), so waiting for a flush ends
        self.lease_renew = LEASE_RENEW.total_seconds()

    # --- public ----------------------------------------------------------------------------------
    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender
        self._buckets[sender.channel] = channel_bucket(sender, self._sharing)

    def _share(self, workers: int) -> None:
        """``workers`` live workers share the channels: pace each at its share, hold rows for LOOKAHEAD s."""
        self._sharing = workers
        for channel, sender in self.senders.items():
            share_bucket(self._buckets[channel], sender, workers)
        if workers <= 1:
            self.max_in_flight = self._max_in_flight
        else:
            rate = sum(s.rate for s in self.senders.values()) / workers
            self.max_in_flight = min(self._max_in_flight, max(self.batch // 4, int(rate * LOOKAHEAD)))

    async def take_over(self) -> int:
        """Start as the only sender of these channels (SQLite's one server): what a killed predecessor
        held is sent now, not after its lease. Returns how many rows were taken back."""
        if not self.senders:
            return 0
        async with self.db.raw(urgent=True) as raw:
            return await release_all(raw, list(self.senders))

    def wake(self) -> None:
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._queues.values()) + len(self._tasks)

    async def run(self, idle_poll: float = 1.0) -> None:
        """Send until cancelled. Polls the table every ``idle_poll`` s; ``wake()`` cuts the wait."""
        flusher = asyncio.create_task(self._flush_loop())
        renewer = asyncio.create_task(self._renew_loop())
        self._flushing = True
        await self._join()
        heart = asyncio.create_task(self._heartbeat())
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
            renewer.cancel()
            await self._stop_tasks()  # the flush loop still runs: senders waiting for it finish
            self._flushing = False
            flusher.cancel()
            heart.cancel()
            for task in (flusher, renewer, heart):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.flush()
            if self.workers is not None:
                await self.workers.leave()

    async def _join(self) -> None:
        """With other workers: be counted (and let them slow down) before sending anything."""
        while self.workers is not None and not self._stopping:
            try:
                await self.workers.join()
                return
            except Exception as exc:  # not counted, we would send on top of the others' shares: wait
                log.warning("joining the workers failed: %r", exc)
                await asyncio.sleep(1.0)

    async def _heartbeat(self) -> None:
        if self.workers is not None:
            await self.workers.run()

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
            async with self.db.raw(urgent=True, begin=False) as raw:  # write_results is atomic itself
                await write_results(raw, rows, blocked)
        except Exception:
            self._results = results + self._results  # keep them for the next flush
            raise
        self._unflushed.difference_update(r["id"] for r in rows)
        done, self._flushed = self._flushed, asyncio.Event()
        done.set()
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
        async with self.db.raw(urgent=True) as raw:
            # Plain columns, not ORM rows: a claim may take hundreds of rows several times a second.
            leases = self._lease_check is None or now >= self._lease_check  # crashes are rare: look now and then
            if leases:
                self._lease_check = now + LEASE_CHECK
            rows, blocked = await claim(
                raw, now, self.senders, batch=self.batch, max_in_flight=self.max_in_flight,
                waiting=sum(len(q) for q in self._queues.values()), queued=self._in_queue_ids(), leases=leases,
                scopes=self._scopes())
        for r in rows:
            if r.address in blocked:
                self.stats.skipped += 1
                continue
            self._queues.setdefault(r.address, deque()).append(delivery(r))
            if r.address not in self._tasks:
                self._tasks[r.address] = asyncio.create_task(self._address_loop(r.address))
        return len(rows)

    def _scopes(self) -> dict[str, Collection[str]]:
        """Channels whose sender serves only some addresses (``Sender.addresses``, e.g. the terminal chat
        open for one person): other addresses' rows stay pending for whoever serves them."""
        return {ch: scope for ch, s in self.senders.items() if (scope := getattr(s, "addresses", None)) is not None}

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
        """Send one message, then write its result before the window lets another one go: a crash can
        repeat only the (at most ``window.size``) messages sent whose result is not written yet."""
        await self._address_bucket(sender, d.address).acquire()
        await self.window.acquire(priority=urgent(d))
        try:
            await self._buckets[d.channel].acquire(priority=urgent(d))
            if self._stopping:  # stopping while this one waited its turn: it goes back to the table
                self._record(d.id, OutboxStatus.PENDING, lease_until=None)
                return "release-rest"
            outcome = await self._attempt(sender, d)
            await self._confirm(d.id)
        finally:
            self.window.release()
        return outcome

    async def _confirm(self, row_id: int) -> None:
        """Write the results collected so far (this row's among them) now, in a short transaction."""
        while row_id in self._unflushed:
            flushed = self._flushed
            try:
                await self.flush()
            except Exception:
                log.exception("outbox result not written; trying again")
                await asyncio.sleep(0.5)
                continue
            if row_id in self._unflushed:  # another flush under way has it: wait for that one
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(flushed.wait(), 0.5)

    async def _attempt(self, sender: Sender, d: Delivery) -> str:
        try:
            sent = await sender.send(d)
        except RetryLater as exc:
            self.stats.rate_limited += 1
            count_send(d.channel, SendResult.RATE_LIMITED)
            if exc.seconds <= LONG_PAUSE:
                self._address_bucket(sender, d.address).pause(exc.seconds)
                return "retry-same"
            self._record(d.id, OutboxStatus.PENDING, lease_until=None,
                         next_attempt_at=self.clock.now() + timedelta(seconds=exc.seconds))
            return "release-rest"
        except Blocked as exc:
            self.stats.failed += 1
            count_send(d.channel, SendResult.BLOCKED)
            self._record(d.id, OutboxStatus.FAILED, error=f"blocked: {exc}"[:500], _blocked=d.address)
            return "blocked"
        except Held as exc:
            self.stats.held += 1
            count_send(d.channel, SendResult.HELD)
            self._record(d.id, OutboxStatus.HELD, error=str(exc)[:500], lease_until=None)
            return "next"
        except Permanent as exc:
            self.stats.failed += 1
            count_send(d.channel, SendResult.FAILED)
            self._record(d.id, OutboxStatus.FAILED, error=str(exc)[:500], attempts=d.attempts + 1)
            return "next"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network trouble, 5xx, anything unexpected: back off and retry
            attempts = d.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                log.warning("giving up on outbox %s after %s attempts: %s", d.id, attempts, exc)
                self.stats.failed += 1
                count_send(d.channel, SendResult.FAILED)
                self._record(d.id, OutboxStatus.FAILED, error=repr(exc)[:500], attempts=attempts)
                return "next"
            self.stats.retried += 1
            count_send(d.channel, SendResult.RETRY)
            delay = min(2.0**attempts, 300.0)
            self._record(d.id, OutboxStatus.PENDING, error=repr(exc)[:500], attempts=attempts, lease_until=None,
                         next_attempt_at=self.clock.now() + timedelta(seconds=delay))
            return "release-rest"
        self.stats.sent += 1
        count_send(d.channel, SendResult.OK)
        self._record(d.id, sent.status, external_id=sent.external_id, sent_at=self.clock.now(),
                     attempts=d.attempts + 1, error=None)
        return "next"

    def _record(self, row_id: int, status: str, **values: Any) -> None:
        self._results.append({"id": row_id, "status": status, **values})
        self._unflushed.add(row_id)
        self._has_results.set()

    async def _flush_loop(self, every: float = 0.05) -> None:
        """Write results as soon as there are some (what arrives during a write goes in the next one)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._has_results.wait(), every)
            self._has_results.clear()
            try:
                await self.flush()
            except Exception:  # keep the results; try again next tick
                log.exception("outbox flush failed")
                await asyncio.sleep(every)

    async def _renew_loop(self) -> None:
        """Keep the leases of the rows this worker holds, so only a dead worker's run out."""
        while True:
            await asyncio.sleep(self.lease_renew)
            held = self._in_queue_ids()
            if not held:
                continue
            try:
                async with self.db.raw(urgent=True) as raw:
                    await renew(raw, held, self.clock.now())
            except Exception as exc:  # the next round tries again; the lease outlives two misses
                log.warning("renewing %d outbox leases failed: %r", len(held), exc)

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
