"""Several workers on one database (issue 21): two services in this test process share a PostgreSQL
database as two ``smce-bot serve`` processes would. One person's messages split across both are handled
one at a time; one address's outbox rows never go out of order or twice; a scheduled job runs once per
period; the channel's rate holds for both together. SQLite refuses a second server on the same file."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from bot.context import Context, ManualClock
from bot.jobs import Job, JobContext, Scheduler
from bot.outbox import Delivery, enqueue_many
from bot.router import Router
from bot.service import Service
from bot.types import Inbound, Reply, Sent
from storage.workers import AnotherServer, single_server
from tests.conftest import MakeService
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.test_crash import free_port, make_server


def needs_postgres(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share PostgreSQL; SQLite takes one (see test_sqlite_refuses_*)")


@dataclass
class Log:
    """What every worker sent, in the order the platform got it."""

    sent: list[tuple[str, str, float]] = field(default_factory=list)  # (address, text, when)

    def texts(self, address: str) -> list[str]:
        return [text for a, text, _ in self.sent if a == address]


@dataclass
class SlowSender:
    """A channel's sender that takes a moment per message and writes into a log shared by the workers."""

    log: Log
    channel: str = "telegram"
    rate: float = 1e6
    address_rate: float = 1e6
    address_burst: int = 1000
    delay: float = 0.002

    async def send(self, delivery: Delivery) -> Sent:
        await asyncio.sleep(self.delay)
        self.log.sent.append((delivery.address, delivery.reply.text, time.monotonic()))
        return Sent(f"m{len(self.log.sent)}")


def counting_router() -> Router:
    """Each message adds one to a number kept on the user (read, a pause, write): two workers handling
    one person at once would both read the same number."""
    router = Router("count")

    @router.on()
    async def count(ctx: Context) -> None:
        number = int(ctx.user.name or 0) + 1
        await asyncio.sleep(0.003)
        ctx.user.name = str(number)
        ctx.reply(f"{number}:{ctx.msg.text}")

    return router


async def two_workers(make_service: MakeService, log: Log, **sender: float) -> tuple[Service, Service]:
    a = await make_service(service_kwargs={"router": counting_router()})
    b = await make_service(service_kwargs={"router": counting_router()})
    for service in (a, b):
        service.outbox.add_sender(SlowSender(log, **sender))  # type: ignore[arg-type]
        if service.outbox.workers is not None:
            service.outbox.workers.heartbeat = 0.2  # learn of each other quickly
    return a, b


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def running(services: tuple[Service, ...], work: Callable[[], Awaitable[None]]) -> None:
    tasks = [asyncio.create_task(s.outbox.run(idle_poll=0.1)) for s in services]
    try:
        await work()
    finally:
        for s in services:
            await s.outbox.stop()
        await asyncio.gather(*tasks)


async def test_one_chat_split_across_two_workers_is_handled_one_at_a_time_in_order(
        make_service: MakeService, database_url: str) -> None:
    needs_postgres(database_url)
    log = Log()
    a, b = await two_workers(make_service, log)
    address = "tg-7001"

    async def post(n: int) -> None:  # as nginx would: alternate updates go to the other worker
        await asyncio.sleep(n * 0.004)
        worker = (a, b)[n % 2]
        await worker.engine.handle(Inbound("telegram", address, f"u{n}", text=f"m{n}"))

    async def work() -> None:
        await asyncio.gather(*(post(n) for n in range(30)))
        await until(lambda: len(log.texts(address)) >= 30)

    await running((a, b), work)
    numbers = [int(text.split(":")[0]) for text in log.texts(address)]
    assert numbers == list(range(1, 31))  # none read a number another was changing; sent in that order


async def test_two_workers_send_each_address_in_order_and_once(make_service: MakeService, database_url: str) -> None:
    needs_postgres(database_url)
    log = Log()
    a, b = await two_workers(make_service, log, delay=0.004)
    addresses = [f"tg-{800 + i}" for i in range(6)]

    async def add(rounds: int) -> None:
        for r in range(rounds):
            async with a.db.transaction() as session:
                await enqueue_many(session, [(None, "telegram", address, Reply(text=f"{r}")) for address in addresses],
                                   now=a.clock.now())
            a.wake_outbox()
            b.wake_outbox()
            await asyncio.sleep(0.01)

    async def work() -> None:
        await add(25)
        await until(lambda: len(log.sent) >= 25 * len(addresses))
        await asyncio.sleep(0.3)  # anything sent twice would show now

    await running((a, b), work)
    for address in addresses:
        assert log.texts(address) == [str(r) for r in range(25)]


async def test_a_scheduled_job_runs_once_per_period_with_two_workers(make_service: MakeService, clock: ManualClock,
                                                                     database_url: str) -> None:
    service = await make_service()
    runs: list[str] = []

    async def job(jc: JobContext) -> int:
        runs.append("ran")
        await asyncio.sleep(0.05)  # the other worker tries while this one runs
        return 0

    jobs = [Job("tally", 60.0, job)]
    context = JobContext(service.db, service.deps, lambda: None)
    first, second = Scheduler(jobs, context, worker="w1"), Scheduler(jobs, context, worker="w2")
    await first.prepare()
    await second.prepare()
    results = await asyncio.gather(first.run_due(jobs[0]), second.run_due(jobs[0]))
    assert sorted(results, key=str) == [0, None] and runs == ["ran"]
    assert await first.run_due(jobs[0]) is None and await second.run_due(jobs[0]) is None  # not due again yet
    clock.advance(seconds=61)
    results = await asyncio.gather(second.run_due(jobs[0]), first.run_due(jobs[0]))
    assert runs == ["ran", "ran"] and results.count(None) == 1


async def test_a_dead_workers_job_run_is_taken_over_after_its_lease(make_service: MakeService, clock: ManualClock,
                                                                    database_url: str) -> None:
    from storage.workers import claim_job

    service = await make_service()
    ran: list[int] = []

    async def job(jc: JobContext) -> int:
        ran.append(1)
        return 1

    jobs = [Job("tally", 60.0, job)]
    scheduler = Scheduler(jobs, JobContext(service.db, service.deps, lambda: None), worker="alive")
    await scheduler.prepare()
    async with service.db.transaction() as session:  # a worker that claimed the run and was killed
        assert await claim_job(session, "tally", "dead", clock.now(), clock.now() + timedelta(seconds=60))
    assert await scheduler.run_due(jobs[0]) is None
    clock.advance(seconds=61)
    assert await scheduler.run_due(jobs[0]) == 1 and ran == [1]


async def test_two_workers_hold_the_channel_rate_together(make_service: MakeService, database_url: str) -> None:
    needs_postgres(database_url)
    log = Log()
    rate = 40.0
    a, b = await two_workers(make_service, log, rate=rate, delay=0.001)
    rows = 240

    async def work() -> None:
        await asyncio.sleep(0.6)  # both have joined and know of each other
        async with a.db.transaction() as session:
            await enqueue_many(session, [(None, "telegram", f"tg-{9000 + i}", Reply(text="news", kind="announcement"))
                                         for i in range(rows)], now=a.clock.now(), broadcast_id=1)
        a.wake_outbox()
        b.wake_outbox()
        await until(lambda: len(log.sent) >= rows, seconds=30)

    await running((a, b), work)
    times = sorted(t for _, _, t in log.sent)
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    achieved = (rows - 1) / (times[-1] - times[0])
    assert busiest <= rate  # in no one-second window more than the platform allows
    assert achieved >= 0.75 * rate, achieved  # and both workers really shared the work
    assert len({address for address, _, _ in log.sent}) == rows


def test_sqlite_takes_one_server_per_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    first = single_server(url)
    assert first.held
    with pytest.raises(AnotherServer, match="SQLite takes one worker"):
        single_server(url)
    first.release()
    again = single_server(url)  # free once the first is gone (a killed process's lock goes with it)
    again.release()
    assert not single_server("postgresql+asyncpg://bot@127.0.0.1/bot").held


async def test_a_second_serve_on_the_same_sqlite_file_is_refused(tmp_path: Path,
                                                                  fake_telegram: FakeTelegramAPI) -> None:
    first = make_server(tmp_path, fake_telegram)
    await first.start()
    try:
        env = dict(first.env, PORT=str(free_port()))
        second = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "serve"], env=env,
                                         capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert "already uses the SQLite database" in second.stderr and "use PostgreSQL" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.signal(signal.SIGTERM)
        assert await first.wait(20) == 0
    again = make_server(tmp_path, fake_telegram)  # the first is gone: the file takes a server again
    await again.start()
    again.signal(signal.SIGKILL)
    await again.wait(10)
