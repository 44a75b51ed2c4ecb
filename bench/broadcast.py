"""Broadcast benchmark: one announcement to 20,000 Telegram users through the real job, outbox and
TelegramSender (python-telegram-bot over aiohttp) to the fake Bot API enforcing flood limits with real
429 answers, its rates scaled up so the run is short.

    .venv/bin/python bench/broadcast.py [--users 20000] [--rate 600] [--chat-rate 1] [--db URL] [--out FILE]

(from the repository root, with the project's venv). The fake Bot API runs in a child process (its own
CPU), so the bot's cost is measured, not the fake's. Reports the achieved rate as a fraction of the
allowed rate, 429s received, messages lost or doubled, and the run time; prints the table to stdout, and
also writes it to FILE when ``--out FILE`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-token"


# --- the fake Bot API, in its own process --------------------------------------------------------------


def fake_api_process(conn: Connection, per_bot: float, per_chat: float, chat_burst: int) -> None:
    from tests.fakes.telegram_api import FakeTelegramAPI, Flood

    async def main() -> None:
        api = FakeTelegramAPI(token=TOKEN)
        api.flood = Flood(per_bot=per_bot, per_chat=per_chat, chat_burst=chat_burst, retry_after=1)
        await api.start()
        conn.send(api.port)
        stalls: list[float] = []

        async def probe() -> None:  # the fake's own event-loop stalls shift the times it stamps
            while True:
                before = time.monotonic()
                await asyncio.sleep(0.001)
                late = time.monotonic() - before - 0.001
                if late > 0.01:
                    stalls.append(late)

        prober = asyncio.create_task(probe())
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, conn.recv)  # wait for "stop"
        prober.cancel()
        sent = [c for c in api.calls if c.method == "sendMessage"]
        per_chat_count = Counter(str(c.params.get("chat_id")) for c in sent)
        times = sorted(c.at for c in sent)
        conn.send({"per_chat": dict(per_chat_count), "times": times, "rejected_429": api.rejected_429,
                   "fake_stall_max": max(stalls, default=0.0)})
        await api.stop()

    asyncio.run(main())


# --- the bot side -----------------------------------------------------------------------------------------


@dataclass
class Result:
    users: int
    allowed: float
    accepted: int
    span: float
    achieved: float
    ratio: float
    best_window: float
    rejected_429: int
    retried_429: int
    lost: int
    doubled: int
    expand_seconds: float
    run_seconds: float
    database: str
    load: float
    fake_stall: float
    times: list[float]  # when the fake accepted each message


async def populate(db: Any, users: int, now: datetime) -> int:
    """``users`` onboarded learners at telegram:1000000.. plus one trainer; returns the trainer's id."""
    from sqlalchemy import insert

    from storage.models import Address, Role, User

    languages = ["lo", "km", "vi", "th", "en"]
    countries = ["LA", "KH", "VN", "TH", "SG"]
    async with db.transaction() as s:
        trainer = User(name="Trainer", language="en", country="LA", role=Role.TRAINER, onboarded=True,
                       step_data={}, menu=[], profile={}, created_at=now)
        s.add(trainer)
        await s.flush()
        s.add(Address(user_id=trainer.id, channel="telegram", address="telegram:999", created_at=now))
        trainer_id = trainer.id
    chunk = 2000
    for start in range(0, users, chunk):
        n = min(chunk, users - start)
        async with db.transaction() as s:
            rows = [dict(name=f"U{start + i}", language=languages[(start + i) % 5], country=countries[(start + i) % 5],
                         role=Role.LEARNER, onboarded=True, opted_out=False, step_data={}, menu=[], profile={},
                         created_at=now) for i in range(n)]
            ids = list((await s.scalars(insert(User).returning(User.id), rows)).all())
            await s.execute(insert(Address), [
                dict(user_id=uid, channel="telegram", address=f"telegram:{1_000_000 + start + i}", blocked=False,
                     created_at=now) for i, uid in enumerate(ids)])
    return trainer_id


async def run(args: argparse.Namespace) -> Result:
    from bot.config import Settings, normalise_database_url
    from bot.jobs import JobContext
    from bot.service import Service
    from handlers.announcements.schedule import run_broadcasts
    from storage.announcements import Broadcast, BroadcastStatus, unsent_count

    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(target=fake_api_process,
                                          args=(child, args.rate, args.chat_rate, args.chat_burst), daemon=True)
    proc.start()
    port = parent.recv()
    tmp = tempfile.TemporaryDirectory()
    url = normalise_database_url(args.db) if args.db else f"sqlite+aiosqlite:///{tmp.name}/bench.db"
    if url.startswith("postgresql"):
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    settings = Settings(
        database_url=url, media_dir=Path(tmp.name) / "media", telegram_token=TOKEN,
        telegram_api_url=f"http://127.0.0.1:{port}/bot", telegram_file_url=f"http://127.0.0.1:{port}/file/bot",
        telegram_rate=args.rate, telegram_chat_rate=args.chat_rate, telegram_chat_burst=args.chat_burst,
    )
    service = Service(settings)
    await service.start(background=False)
    now = datetime.now(UTC)
    trainer_id = await populate(service.db, args.users, now)
    async with service.db.transaction() as s:
        b = Broadcast(author_id=trainer_id, text="Weaving fair on Saturday: free stalls for members.", audience={},
                      status=BroadcastStatus.SCHEDULED, scheduled_at=now, button=True, cursor=0, targeted=0,
                      created_at=now)
        s.add(b)
        await s.flush()
        broadcast_id = b.id

    if not args.default_gc:
        from bot.engine import tune_gc

        tune_gc()  # as Service.serve does
    started = time.monotonic()
    jc = JobContext(service.db, service.deps, service.wake_outbox)
    if args.expand_first:
        await run_broadcasts(jc)
        worker = asyncio.create_task(service.outbox.run(idle_poll=0.2))
    else:
        worker = asyncio.create_task(service.outbox.run(idle_poll=0.2))
        await run_broadcasts(jc)  # expands in batches, waking the outbox after each
    expand_seconds = time.monotonic() - started
    lag = [0.0]

    async def lag_probe() -> None:  # the event loop's longest stall in each second
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.001)
            lag[0] = max(lag[0], time.monotonic() - before - 0.001)

    async def monitor() -> None:
        last = 0
        cpu = time.process_time()
        probe = asyncio.create_task(lag_probe())
        try:
            await _monitor(last, cpu)
        finally:
            probe.cancel()

    async def _monitor(last: int, cpu: float) -> None:
        while True:
            await asyncio.sleep(1)
            used, cpu = time.process_time() - cpu, time.process_time()
            print(f"bot cpu {used:.2f} max loop stall {lag[0] * 1000:.0f} ms", file=sys.stderr, end=" ")
            lag[0] = 0.0
            o = service.outbox
            bucket = o._buckets.get("telegram")
            print(f"sent {o.stats.sent - last}/s in_flight {o.in_flight} waiting {bucket.waiting if bucket else 0} "
                  f"429 {o.stats.rate_limited}", file=sys.stderr)
            last = o.stats.sent

    mon = asyncio.create_task(monitor()) if args.verbose else None  # from after the expansion
    while True:
        async with service.db.read() as s:
            left = await unsent_count(s, broadcast_id)
        if not left:
            break
        await asyncio.sleep(0.25)
    run_seconds = time.monotonic() - started
    await run_broadcasts(jc)  # the summary for the trainer
    if mon is not None:
        mon.cancel()
    await service.outbox.stop()
    await worker
    retried = service.outbox.stats.rate_limited
    await service.stop()
    parent.send("stop")
    fake = parent.recv()
    proc.join(5)
    tmp.cleanup()

    per_chat: dict[str, int] = fake["per_chat"]
    learners = {str(1_000_000 + i) for i in range(args.users)}
    lost = sum(1 for chat in learners if per_chat.get(chat, 0) == 0)
    doubled = sum(max(0, per_chat.get(chat, 0) - 1) for chat in learners)
    times = [t for t in fake["times"]]
    accepted = sum(per_chat.get(chat, 0) for chat in learners)
    span = (times[-1] - times[0]) if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else 0.0
    best = 0.0  # the fullest one-second window, to show the limit was honoured
    j = 0
    for i in range(len(times)):
        while times[i] - times[j] > 1.0:
            j += 1
        best = max(best, i - j + 1)
    return Result(args.users, args.rate, accepted, span, achieved, achieved / args.rate, best,
                  fake["rejected_429"], retried, lost, doubled, expand_seconds, run_seconds,
                  "PostgreSQL" if url.startswith("postgresql") else "SQLite", os.getloadavg()[0],
                  fake["fake_stall_max"], fake["times"])


def table(rounds: list[Result], args: argparse.Namespace) -> str:
    r = sorted(rounds, key=lambda x: x.ratio)[len(rounds) // 2]  # the median round
    return "\n".join([
        "# Broadcast benchmark",
        "",
        f"`.venv/bin/python bench/broadcast.py --users {r.users} --rate {args.rate:g} "
        f"--chat-rate {args.chat_rate:g}` ({r.database}; fake Bot API in a child process enforcing "
        f"{args.rate:g} msg/s per bot and {args.chat_rate:g} msg/s per chat (burst {args.chat_burst}) "
        "with real 429 answers; the bot configured to the same limits).",
        "",
        f"{len(rounds)} rounds; the table shows the median round by achieved / allowed.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| achieved / allowed, every round | {', '.join(f'{x.ratio:.3f}' for x in rounds)} |",
        f"| 429s, every round | {', '.join(str(x.rejected_429) for x in rounds)} |",
        f"| lost / doubled, every round | {', '.join(f'{x.lost}/{x.doubled}' for x in rounds)} |",
        f"| recipients | {r.users:,} |",
        f"| messages accepted by the API | {r.accepted:,} |",
        f"| allowed rate | {r.allowed:g} msg/s |",
        f"| achieved rate (first to last accepted) | {r.achieved:.1f} msg/s |",
        f"| achieved / allowed | **{r.ratio:.3f}** (goal ≥ 0.95) |",
        f"| fullest 1-second window | {r.best_window:.0f} messages |",
        f"| 429 answers from the API | {r.rejected_429} |",
        f"| 429s retried by the outbox | {r.retried_429} |",
        f"| lost | **{r.lost}** (goal 0) |",
        f"| doubled | **{r.doubled}** (goal 0) |",
        "| expansion into the outbox (job, batches of 100, taking turns with the sending once 2,000 are ahead) "
        f"| {r.expand_seconds:.1f} s |",
        f"| run time (job start to last message written back) | {r.run_seconds:.1f} s |",
        f"| fake Bot API's longest event-loop stall (shifts the times it counts) | {r.fake_stall * 1000:.0f} ms |",
        f"| machine | {os.cpu_count()} CPUs, load average {r.load:.1f} at the end of the run |",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=600.0, help="per-bot limit, msg/s (Telegram: 30)")
    parser.add_argument("--chat-rate", type=float, default=1.0, help="per-chat limit, msg/s (Telegram: 1)")
    parser.add_argument("--chat-burst", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--times", default=None, help="write the fake's accept times (monotonic s) to this file")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--verbose", action="store_true", help="print the outbox's progress every second")
    parser.add_argument("--expand-first", action="store_true", help="expand before sending starts")
    parser.add_argument("--default-gc", action="store_true", help="keep Python's GC settings (no tune_gc)")
    parser.add_argument("--out", default=None, metavar="FILE", help="also write the table to this file")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING)
    results = []
    for i in range(args.rounds):
        results.append(asyncio.run(run(args)))
        if args.times:  # for a closer look: when each message was accepted, one per line
            Path(args.times).write_text("".join(f"{t:.6f}\n" for t in results[-1].times))
        print(f"round {i + 1}: {results[-1].ratio:.3f} of the rate, {results[-1].rejected_429} 429s", file=sys.stderr)
    text = table(results, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    median = sorted(x.ratio for x in results)[len(results) // 2]
    ok = median >= 0.95 and all(x.lost == 0 and x.doubled == 0 for x in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
