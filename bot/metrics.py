"""Prometheus metrics (``GET /metrics``, text format, with prometheus-client).

Counters and the latency histogram are module-level and updated where things happen: the engine
(``updates``, ``handler_seconds``, ``dead_letters``), the web app (``updates`` rejected with a 4xx), the
outbox worker (``sends``), the scheduler's jobs (``job_runs``). The outbox backlog (depth, age of the
oldest pending reply) is read from the database at scrape time, with one cheap query, so every worker
reports the same truth.

With ``PROMETHEUS_MULTIPROC_DIR`` set (to an empty directory, the same for all workers on a host, cleared
before they start) prometheus-client keeps each process's values in files there and a scrape of any
worker sums them all (``multiprocess.MultiProcessCollector``); otherwise the process's own registry is
served. The variable must be in the environment before the process starts (systemd ``Environment=``).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

UPDATES = Counter("smce_updates", "Inbound updates by channel and outcome "
                  "(handled, duplicate, dead_letter, rejected: answered with a 4xx)", ["channel", "outcome"])
HANDLER_SECONDS = Histogram("smce_handler_seconds", "Time to handle one inbound update (lock wait included)",
                            ["channel"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SENDS = Counter("smce_sends", "Outbound sends by channel and result "
                "(ok, rate_limited: 429, retry: network or 5xx, blocked, failed, held)", ["channel", "result"])
DEAD_LETTERS = Counter("smce_dead_letters", "Inbound updates kept as dead letters (a handler failed)", ["channel"])
JOB_RUNS = Counter("smce_job_runs", "Scheduled job runs by job and result (ok, failed)", ["job", "result"])
JOB_ITEMS = Counter("smce_job_items", "Things scheduled jobs did (messages queued, rows pruned, ...)", ["job"])


class Outcome:
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    DEAD_LETTER = "dead_letter"
    REJECTED = "rejected"


class SendResult:
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    RETRY = "retry"
    BLOCKED = "blocked"
    FAILED = "failed"
    HELD = "held"


@dataclass(frozen=True)
class Backlog:
    """The outbox at scrape time: rows waiting to be sent, and since when the oldest reply waits."""

    pending: int
    oldest_reply_at: datetime | None


def count_update(channel: str, outcome: str) -> None:
    UPDATES.labels(channel, outcome).inc()


def count_send(channel: str, result: str) -> None:
    SENDS.labels(channel, result).inc()


def observe_handling(channel: str, seconds: float) -> None:
    HANDLER_SECONDS.labels(channel).observe(seconds)


def count_job(name: str, done: int | None) -> None:
    """A job run: ``done`` things, or ``None`` when it raised."""
    JOB_RUNS.labels(name, "failed" if done is None else "ok").inc()
    if done:
        JOB_ITEMS.labels(name).inc(done)


T = TypeVar("T")


def timed_job(name: str, run: Callable[[T], Awaitable[int]]) -> Callable[[T], Awaitable[int]]:
    """Wrap a job's function so each run is counted (the scheduler still logs failures)."""

    async def counted(context: T) -> int:
        try:
            done = await run(context)
        except Exception:
            count_job(name, None)
            raise
        count_job(name, done)
        return done

    return counted


class _BacklogCollector(Collector):
    def __init__(self, backlog: Backlog, now: datetime) -> None:
        self.backlog, self.now = backlog, now

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("smce_outbox_pending", "Outbox rows waiting to be sent", value=self.backlog.pending)
        age = (self.now - self.backlog.oldest_reply_at).total_seconds() if self.backlog.oldest_reply_at else 0.0
        yield GaugeMetricFamily("smce_outbox_oldest_reply_age_seconds",
                                "How long the oldest pending reply (not a broadcast) has waited", value=max(age, 0.0))


def render(backlog: Backlog | None, now: datetime) -> bytes:
    """The exposition text: this process's (or, in multiprocess mode, all workers') metrics, plus the
    backlog gauges computed now (left out when the database could not be read)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if backlog is not None:
        extra = CollectorRegistry()
        extra.register(_BacklogCollector(backlog, now))
        text += generate_latest(extra)
    return text


CONTENT_TYPE = CONTENT_TYPE_LATEST


# --- who may read /metrics ------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_on_main(host: str, token: str | None, separate_port: int | None) -> bool:
    """Whether the main app serves ``/metrics``: not when it has its own listener (``METRICS_PORT``);
    else only when a token protects it or the main app listens on loopback only (behind a proxy that
    forwards just the webhook and media paths, see docs/deploy.md)."""
    if separate_port is not None:
        return False
    return bool(token) or is_loopback(host)


def authorised(header: str | None, token: str | None) -> bool:
    """``Authorization: Bearer <token>`` when a token is set (compared in constant time)."""
    if not token:
        return True
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def sample(name: str, labels: dict[str, str] | None = None, text: bytes | None = None) -> float:
    """A sample's value from the process registry (tests and benches); 0 when absent."""
    if text is None:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0
    wanted = sorted((labels or {}).items())
    for family in _parse(text):
        for s in family.samples:
            if s.name == name and sorted(s.labels.items()) == wanted:
                return float(s.value)
    return 0.0


def _parse(text: bytes) -> Iterable[Metric]:
    from prometheus_client.parser import text_string_to_metric_families

    return text_string_to_metric_families(text.decode())
