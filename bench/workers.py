"""Workers benchmark: 1, 2 and 4 ``smce-bot serve`` processes on one PostgreSQL database, the same load.

For each worker count, on a fresh database (``--postgres``, default the ``bench_workers`` database; never a
test database) seeded with onboarded learners:

1. **inbound**: ``-n`` updates from ``--chats`` chats (the learner steps of ``bench/inbound.py``: menu,
   courses, a lesson, its quiz, progress), each update posted to the next worker in turn, as nginx's
   round robin would (one chat's updates land on every worker); a chat's next update waits for the reply
   to its previous one. Reports updates/s (first post to last reply at the fake). ``--warmup`` updates from
   other chats go first and are not measured (every worker's first requests load modules and caches).
2. **broadcast**: the workers restarted with ``TELEGRAM_RATE=--rate``, one announcement to every learner
   (``--audience``) through the real job: achieved rate ÷ allowed, and the busiest second.

With ``--cpu-per-worker CORES`` (root: a cgroup CPU quota per worker, ``bench/_cpu.py``) each worker gets
at most CORES of a core, so the load is CPU-bound in the workers while PostgreSQL, the fake Bot API and the
load generator have the rest of the machine: what a worker with a core of its own sees on a bigger machine,
and the condition under which issue 21 asks two workers to reach 1.8x one. The table says how busy the whole
machine was and how long the workers waited for their quota.

Counted in both: **duplicates** (messages a chat got beyond what the first worker count's run gave it on
the same load — run 1 worker first —, and announcement copies beyond one per learner) and **order
violations** (a chat's outbox rows whose send finished before an earlier row's). Both must be 0.
The fake Bot API is ``bench/fake_api.py`` in its own process.

Run from the repository root; the table goes to stdout (``--out FILE`` also writes it to FILE):

    .venv/bin/python bench/workers.py                       # 1, 2, 4 workers
    .venv/bin/python bench/workers.py -n 600 --workers 1 2 --audience 1000    # quicker
    .venv/bin/python bench/workers.py -n 1800 --workers 1 2 --cpu-per-worker 0.3   # CPU-bound workers (root)
"""

# Process start-up and the report block the loop briefly, outside the measured part:
# ruff: noqa: ASYNC110, ASYNC220
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import _root  # noqa: F401  (this checkout first on sys.path)
import aiohttp
from _cpu import Machine, Quota
from inbound import TOKEN, stop, wait_http
from inbound_load import ROOT, SECRET, Updates, Watcher, free_port, learner_script, plan, reset_fake, seed
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.announcements import Broadcast, BroadcastStatus
from storage.db import Database, normalise_database_url
from storage.models import Outbox, OutboxStatus

FIRST_CHAT = 710_000_000
WARMUP_CHAT = 790_000_000  # the warm-up's chats: not the measured ones
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_workers"
SENT = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.READ)


@dataclass
class Figures:
    workers: int
    updates: int = 0
    rate: float = 0.0
    unanswered: int = 0
    broadcast: int = 0
    achieved: float = 0.0
    busiest: int = 0
    duplicates: int = 0
    order_violations: int = 0
    cpu: float = 0.0  # CPU seconds of all workers during the inbound phase
    busy: float = 0.0  # how busy the whole machine was during the inbound phase (1.0: every core)
    throttled: float = 0.0  # seconds the workers waited for their CPU quota (with --cpu-per-worker)
    sends: Counter[int] = field(default_factory=Counter, repr=False)  # inbound: messages per chat at the fake


def cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def create_database(url: str) -> None:
    """The bench database, created on first use (on the server's ``postgres`` database)."""
    url = normalise_database_url(url)
    base, _, name = url.rpartition("/")
    engine = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        if not await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


class Workers:
    """N ``python -m bot serve`` processes on one database, each on its own port."""

    def __init__(self, n: int, url: str, fake_url: str, rate: float, logs: Path, cores: float | None = None) -> None:
        self.ports = [free_port() for _ in range(n)]
        self.procs: list[subprocess.Popen[bytes]] = []
        self.url, self.fake_url, self.rate, self.logs = url, fake_url, rate, logs
        self.quotas = [Quota(f"worker{i}", cores) for i in range(n)] if cores else []

    async def __aenter__(self) -> Workers:
        work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
        for i, port in enumerate(self.ports):
            env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"{self.fake_url}/bot",
                       TELEGRAM_WEBHOOK_SECRET=SECRET, HOST="127.0.0.1", PORT=str(port), PYTHONPATH=str(ROOT),
                       DATABASE_URL=self.url, MEDIA_DIR=str(work / "media"), PUBLIC_URL=f"http://127.0.0.1:{port}",
                       TELEGRAM_RATE=str(self.rate), TELEGRAM_CHAT_RATE="1000", TELEGRAM_CHAT_BURST="1000")
            env.pop("CONTENT_DIR", None)
            log = (self.logs / f"worker-{i}.log").open("ab")
            self.procs.append(subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=work,
                                               stdout=log, stderr=subprocess.STDOUT))
            log.close()
            if self.quotas:  # before the worker imports anything: all its work runs under the quota
                self.quotas[i].add(self.procs[-1].pid)
        for port, proc in zip(self.ports, self.procs, strict=True):
            await wait_http(f"http://127.0.0.1:{port}/healthz", proc)
        await asyncio.sleep(3.0)  # the heartbeats settle: every worker knows its share
        return self

    async def __aexit__(self, *_: object) -> None:
        for proc in self.procs:
            stop(proc)
        for quota in self.quotas:
            quota.remove()

    def cpu(self) -> float:
        return sum(cpu_of(p.pid) for p in self.procs)

    def throttled(self) -> float:
        return sum(q.throttled_seconds() for q in self.quotas)


async def inbound(workers: Workers, fake_url: str, load: list[tuple[int, bytes]], concurrency: int,
                  figures: Figures) -> None:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    urls = [f"http://127.0.0.1:{p}/webhooks/telegram" for p in workers.ports]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency + 10)) as http:
        await reset_fake(http, fake_url)
        watcher = Watcher(http, fake_url)
        watch = asyncio.create_task(watcher.run())
        pending: dict[int, asyncio.Event] = {}
        cursor = iter(enumerate(load))
        first = time.monotonic()

        async def post() -> None:
            for i, (chat, body) in cursor:
                gate = pending.get(chat)
                if gate is not None:
                    await asyncio.wait_for(gate.wait(), 60)
                event = asyncio.Event()
                watcher.waiting[chat] = (time.monotonic(), event)
                pending[chat] = event
                async with http.post(urls[i % len(urls)], data=body, headers=headers) as r:
                    await r.read()

        cpu, throttled, machine = workers.cpu(), workers.throttled(), Machine()
        await asyncio.gather(*(post() for _ in range(concurrency)))
        deadline = time.monotonic() + 60
        while watcher.waiting and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await drained(workers.url)  # a reply's later messages too, before counting
        figures.cpu = workers.cpu() - cpu
        figures.busy, figures.throttled = machine.busy(), workers.throttled() - throttled
        await asyncio.sleep(0.5)
        watch.cancel()
        await asyncio.gather(watch, return_exceptions=True)
        await watcher.poll_once()
    last = max(t for _, t, _ in watcher.sends)  # the last message of all, once everything went out
    figures.updates = len(load)
    figures.rate = len(load) / (last - first)
    figures.unanswered = len(watcher.waiting)
    figures.sends = Counter(chat for chat, _, _ in watcher.sends)


async def drained(url: str, seconds: float = 120.0) -> None:
    """Wait until no outbox row is waiting or being sent."""
    db = Database(normalise_database_url(url))
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            async with db.read() as session:
                if not await session.scalar(select(func.count()).select_from(Outbox).where(
                        Outbox.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))):
                    return
            await asyncio.sleep(0.1)
    finally:
        await db.close()


async def order_violations(url: str) -> int:
    """Rows of one address whose send finished before an earlier row's (by id) did."""
    db = Database(normalise_database_url(url))
    try:
        async with db.read() as session:
            rows = (await session.execute(select(Outbox.address, Outbox.id, Outbox.sent_at, Outbox.broadcast_id)
                                          .where(Outbox.status.in_(SENT)).order_by(Outbox.id))).all()
    finally:
        await db.close()
    last: dict[tuple[str, bool], datetime] = {}
    bad = 0
    for address, _, sent_at, broadcast_id in rows:
        if sent_at is None:
            continue
        key = (address, broadcast_id is None)
        if key in last and sent_at < last[key]:
            bad += 1
        last[key] = max(sent_at, last.get(key, sent_at))
    return bad


async def broadcast(workers: Workers, fake_url: str, audience: int, figures: Figures) -> None:
    db = Database(normalise_database_url(workers.url))
    async with aiohttp.ClientSession() as http:
        await reset_fake(http, fake_url)
        now = datetime.now(UTC)
        async with db.transaction() as s:
            s.add(Broadcast(author_id=None, text="Weaving fair on Saturday: free stalls for members.", audience={},
                            status=BroadcastStatus.SCHEDULED, scheduled_at=now, button=True, cursor=0, targeted=0,
                            created_at=now))
        watcher = Watcher(http, fake_url)
        deadline = time.monotonic() + 120 + audience / workers.rate * 2
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            await watcher.poll_once()
            async with db.read() as s:
                status = await s.scalar(select(Broadcast.status))
            if status == BroadcastStatus.DONE:
                break
        await asyncio.sleep(1.0)
        await watcher.poll_once()
    await db.close()
    times = sorted(t for _, t, _ in watcher.sends)
    per_chat = Counter(chat for chat, _, _ in watcher.sends)
    figures.broadcast = len(per_chat)
    figures.duplicates += sum(n - 1 for n in per_chat.values())
    figures.achieved = (len(times) - 1) / (times[-1] - times[0]) / workers.rate if len(times) > 1 else 0.0
    seconds: defaultdict[int, int] = defaultdict(int)
    j = 0
    for i, t in enumerate(times):  # the most sends in any one-second window
        while times[j] <= t - 1.0:
            j += 1
        seconds[0] = max(seconds[0], i - j + 1)
    figures.busiest = seconds[0]


async def run(n: int, args: argparse.Namespace, fake_url: str, logs: Path) -> Figures:
    figures = Figures(n)
    chats = [FIRST_CHAT + i for i in range(max(args.chats, args.audience))]
    warm_chats = [WARMUP_CHAT + i for i in range(max(1, args.warmup // 6))] if args.warmup else []
    await seed(args.postgres, chats + warm_chats)
    updates = Updates()
    load = plan(args.n, args.chats, FIRST_CHAT, learner_script(), updates)
    warmup = plan(args.warmup, len(warm_chats), WARMUP_CHAT, learner_script(), updates) if args.warmup else []
    async with Workers(n, args.postgres, fake_url, 100_000, logs, args.cpu_per_worker) as workers:
        if warmup:  # every worker's first requests (imports, caches, compiled statements) are not measured
            await inbound(workers, fake_url, warmup, args.concurrency, Figures(n))
        await inbound(workers, fake_url, load, args.concurrency, figures)
    async with Workers(n, args.postgres, fake_url, args.rate, logs, args.cpu_per_worker) as workers:
        await broadcast(workers, fake_url, args.audience, figures)
    figures.order_violations = await order_violations(args.postgres)
    print(f"  {n} worker(s): {figures}", file=sys.stderr)
    return figures


def report(results: list[Figures], args: argparse.Namespace, took: float) -> str:
    one = results[0].rate
    lines = [
        "# Workers benchmark: 1, 2 and 4 `smce-bot serve` processes on one PostgreSQL",
        "",
        f"Inbound: {args.n} updates from {args.chats} chats, {args.concurrency} in flight, each posted to the next "
        f"worker in turn, after {args.warmup} warm-up updates from other chats. "
        f"Broadcast: one announcement to {args.audience} learners at an allowed "
        f"{args.rate:g} messages/s. Machine: {os.cpu_count()} cores (shared with PostgreSQL, the fake Bot API, "
        f"the load generator and other work), Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f}. Whole run: {took:.0f}s."
        + (f" Each worker limited to {args.cpu_per_worker:g} of a core (a cgroup CPU quota), so the load is "
           "CPU-bound in the workers while the rest of the machine has room." if args.cpu_per_worker else ""),
        "",
        "| workers | updates/s | × 1 worker | workers' CPU s | machine busy | waited for quota s | unanswered "
        "| broadcast achieved ÷ allowed | busiest second | duplicates | order violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        lines.append(f"| {f.workers} | {f.rate:,.0f} | {f.rate / one:.2f} | {f.cpu:.1f} | {f.busy:.0%} "
                     f"| {f.throttled:.1f} | {f.unanswered} "
                     f"| {f.achieved:.3f} ({f.broadcast} learners) | {f.busiest} / {args.rate:g} | {f.duplicates} "
                     f"| {f.order_violations} |")
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2400, help="inbound updates per worker count")
    parser.add_argument("--chats", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=300, help="warm-up updates (other chats), not measured")
    parser.add_argument("-c", "--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rate", type=float, default=200.0, help="allowed broadcast messages/s (TELEGRAM_RATE)")
    parser.add_argument("--audience", type=int, default=3000, help="learners the announcement goes to")
    parser.add_argument("--postgres", default=DEFAULT_URL, help="a bench database (dropped and recreated)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--cpu-per-worker", type=float, default=None, metavar="CORES",
                        help="limit each worker to CORES of a core with a cgroup quota (root), e.g. 0.45: "
                             "the load is then CPU-bound in the workers")
    args = parser.parse_args()
    if args.cpu_per_worker and (why := Quota.available()):
        parser.error(why)
    await create_database(args.postgres)
    logs = ROOT / "bench" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    fake_port = free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_api.py"), "--port", str(fake_port),
                             "--token", TOKEN])
    fake_url = f"http://127.0.0.1:{fake_port}"
    started = time.monotonic()
    try:
        await wait_http(f"{fake_url}/_bench/records", fake)
        results = [await run(n, args, fake_url, logs) for n in args.workers]
        for f in results[1:]:  # the same load gives every chat the same messages: more is a repeat
            f.duplicates += sum(max(0, got - results[0].sends[chat]) for chat, got in f.sends.items())
    finally:
        stop(fake)
    table = report(results, args, time.monotonic() - started)
    print(table)
    if args.out:
        args.out.write_text(table)


if __name__ == "__main__":
    asyncio.run(main())
