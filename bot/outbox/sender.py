"""The sending side of the outbox: what a channel's sender gets (``Delivery``) and must implement
(``Sender``), and the pacing of each channel (``TokenBucket``, ``channel_bucket``).

A channel has an overall rate (messages a second across all addresses) and a per-address rate with a
burst; the worker holds one bucket per channel and one per address. Replies to people chatting wait
ahead of bulk messages (announcements, reminders) for the channel's tokens.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from bot.types import Reply, Sent
from storage.outbox import BULK_KINDS

# Pace a little under a platform's rate: its counting window and ours never line up exactly. With 0.98
# bench/broadcast.py drew 105-271 429s a run, with 0.97 20-127, for the same achieved rate (~0.955).
HEADROOM = 0.97
BURST = 0.04  # seconds of sending a channel may save up while the event loop was busy elsewhere


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
    # Optional: ``addresses: Collection[str] | None`` — the sender serves only these addresses (rows of
    # others wait in the table); absent or None: every address of the channel.

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

    def set_rate(self, rate: float, burst: float, per_second: int | None = None) -> None:
        """Change the pace from now on (a worker's share of a channel as workers come and go)."""
        self._refill(time.monotonic())
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.tokens = min(self.tokens, self.capacity)
        self.per_second = per_second

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0


def channel_bucket(sender: Sender, workers: int = 1) -> TokenBucket:
    """The channel's overall pace: a little under its rate (this worker's share of it, when ``workers``
    share the channel), and never more than that in any one second.

    Tokens saved for up to ``BURST`` seconds make up for moments the event loop was busy elsewhere (a
    claim, a flush). More than that sent in bursts, and the one-second window replayed each burst a
    second later: arrivals at the platform bunched past its limit (bench/broadcast.py with a quarter
    second: ~1,500 429s and 0.89 of the rate; with 40 ms: ~200 429s). The window keeps the catch-up from
    exceeding the rate the platform counts.
    """
    bucket = TokenBucket(1.0, 1.0)
    share_bucket(bucket, sender, workers)
    bucket.tokens = bucket.capacity
    return bucket


def share_bucket(bucket: TokenBucket, sender: Sender, workers: int) -> None:
    """Pace ``bucket`` at 1/``workers`` of the channel's rate (with the headroom and one-second window)."""
    rate = sender.rate * HEADROOM / max(1, workers)
    bucket.set_rate(rate, max(1.0, rate * BURST), per_second=max(1, int(rate)))


class SendWindow:
    """At most ``size`` messages of this worker sent (or being sent) whose result is not yet written: a
    crash can repeat only those. Replies to people chatting get a free place before bulk messages."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._used = 0
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, priority: bool = False) -> None:
        if self._used < self.size and not self._urgent and not self._normal:
            self._used += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if priority else self._normal).append(waiter)
        try:
            await waiter  # the place is handed over by ``release``: ``_used`` already counts it
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._used -= 1


def urgent(delivery: Delivery) -> bool:
    """A reply to someone chatting (not a broadcast row, not a bulk kind): served first."""
    return delivery.broadcast_id is None and delivery.reply.kind not in BULK_KINDS
