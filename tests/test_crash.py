"""Crashes lose nothing, promptly: ``smce-bot serve`` as a subprocess on an SQLite file, Telegram pointed at
the fake Bot API, updates streaming from many chats, the server SIGKILLed several times and restarted
at once. Every acknowledged update gets its reply, within 30 s of the restart; at most one repeat per
kill in all (a worker has one message out whose result is not written yet: ``OUTBOX_UNCONFIRMED``);
each chat's replies in order.

Each update is a text of 4097 + n characters, so its one reply ("That message is too long (N
characters)") names the update: the engine answers it before any handler, whatever the chat's state.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from tests.channels.test_telegram import SECRET, text_update
from tests.conftest import TEST_CONTENT
from tests.fakes.telegram_api import FakeTelegramAPI

BASE = 4097
CHATS = 40
PER_CHAT = 16
KILLS = 3
WITHIN = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """``smce-bot serve`` in a subprocess; its log goes to a file."""

    env: dict[str, str]
    log: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    starts: list[float] = field(default_factory=list)

    def spawn(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)

    async def start(self) -> None:
        self.spawn()
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200:
                            self.starts.append(time.monotonic())
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("server did not start: " + self.log.read_text()[-2000:])

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    async def wait(self, seconds: float) -> int:
        assert self.proc is not None
        proc = self.proc
        return await asyncio.wait_for(asyncio.to_thread(proc.wait), seconds)


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    fake = await FakeTelegramAPI().start()
    fake.delay = 0.01  # a send takes a moment: some are in flight when the server dies
    yield fake
    await fake.stop()


def make_server(tmp_path: Path, api: FakeTelegramAPI, database_url: str | None = None) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TWILIO_"))}
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'bot.db'}", HOST="127.0.0.1", PORT=str(port),
        CONTENT_DIR=str(TEST_CONTENT), MEDIA_DIR=str(tmp_path / "media"), PUBLIC_URL=f"http://127.0.0.1:{port}",
        TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url, TELEGRAM_FILE_URL=api.file_url,
        TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_CHAT_RATE="1000", TELEGRAM_CHAT_BURST="1000",
        TELEGRAM_RATE="1000", PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return Server(env, tmp_path / "serve.log", port)


class Stream:
    """Chats writing to the webhook one update after another, each sent again until acknowledged."""

    def __init__(self, server: Server, chats: int = CHATS, per_chat: int = PER_CHAT) -> None:
        self.server = server
        self.chats = [7_000_000 + c for c in range(chats)]
        self.per_chat = per_chat
        self.acked: dict[tuple[int, int], float] = {}  # (chat, n) → when acknowledged
        self.refused = 0

    async def run(self, pause: float = 0.5) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            await asyncio.gather(*(self._chat(session, chat, pause) for chat in self.chats))

    async def _chat(self, session: aiohttp.ClientSession, chat: int, pause: float) -> None:
        for n in range(self.per_chat):
            update = text_update("x" * (BASE + n), chat=chat)
            while True:
                url = f"http://127.0.0.1:{self.server.port}/webhooks/telegram"
                try:
                    async with session.post(url, json=update,
                                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                        if resp.status == 200:
                            self.acked[(chat, n)] = time.monotonic()
                            break
                        assert resp.status == 503, resp.status  # shutting down: try again, like Telegram
                        self.refused += 1
                except (aiohttp.ClientError, TimeoutError):
                    pass  # the server is down: Telegram sends the update again later
                await asyncio.sleep(0.2)
            await asyncio.sleep(pause)


def replies(api: FakeTelegramAPI, chat: int) -> list[tuple[int, float]]:
    """(n, when) of each reply the chat got, in order."""
    found = []
    for call in api.sent(chat):
        match = re.search(r"\(([\d.,\s]+) characters\)", str(call.params.get("text", "")))
        assert match, call.params.get("text")
        found.append((int(re.sub(r"\D", "", match.group(1))) - BASE, call.at))
    return found


@dataclass
class Figures:
    updates: int
    lost: int
    doubled: int
    longest_wait: float


def tally(api: FakeTelegramAPI, stream: Stream, server: Server, kills: int) -> Figures:
    lost = doubled = 0
    longest = 0.0
    for chat in stream.chats:
        got = replies(api, chat)
        numbers = [n for n, _ in got]
        deduped = [n for i, n in enumerate(numbers) if i == 0 or numbers[i - 1] != n]
        assert deduped == sorted(set(numbers)), f"{chat}: {numbers}"  # in order: a repeat only right after itself
        extra = len(numbers) - len(deduped)
        assert extra <= kills, (chat, numbers)  # at most one repeat per chat per kill
        doubled += extra
        first: dict[int, float] = {}
        for n, at in got:
            first.setdefault(n, at)
        for (c, n), acked in stream.acked.items():
            if c != chat:
                continue
            if n not in first:
                lost += 1
                continue
            # from the ack, or from the restart after it when the server died before replying
            start = max([acked] + [s for s in server.starts if s <= first[n]])
            longest = max(longest, first[n] - start)
    return Figures(len(stream.acked), lost, doubled, longest)


async def wait_for_replies(api: FakeTelegramAPI, stream: Stream, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(any(n == k for k, _ in replies(api, c)) for c, n in stream.acked):
            return
        await asyncio.sleep(0.25)


async def test_sigkill_mid_stream_loses_nothing(tmp_path: Path, api: FakeTelegramAPI, database_url: str) -> None:
    server = make_server(tmp_path, api, database_url)  # SQLite, and PostgreSQL with TEST_DATABASE_URL
    await server.start()
    stream = Stream(server)
    streaming = asyncio.create_task(stream.run())
    try:
        for _ in range(KILLS):
            await asyncio.sleep(2.5)
            server.signal(signal.SIGKILL)
            await server.wait(10)
            await server.start()
        await asyncio.wait_for(streaming, 60)
        await wait_for_replies(api, stream, WITHIN + 5)
        figures = tally(api, stream, server, KILLS)
        first_ack = min(stream.acked.values())
        print(f"\ncrash test: {KILLS} kills, {figures}; restarts at "
              f"{[round(t - first_ack, 1) for t in server.starts[1:]]} s after the first update")
        assert figures.updates == CHATS * PER_CHAT
        assert figures.lost == 0
        assert figures.doubled <= KILLS  # at most one repeat per kill, all chats together
        assert figures.longest_wait <= WITHIN
    finally:
        streaming.cancel()
        server.signal(signal.SIGKILL)
        await server.wait(10)


async def test_sigterm_mid_stream_finishes_and_hands_back(tmp_path: Path, api: FakeTelegramAPI) -> None:
    """SIGTERM: webhooks get 503 + Retry-After (or find the listener closed), what is held is finished or
    handed back, the process exits promptly and cleanly; after a restart nothing is lost or doubled."""
    server = make_server(tmp_path, api)
    await server.start()
    stream = Stream(server)
    streaming = asyncio.create_task(stream.run())
    try:
        await asyncio.sleep(3)
        stopped = time.monotonic()
        server.signal(signal.SIGTERM)
        assert await server.wait(20) == 0
        took = time.monotonic() - stopped
        log = server.log.read_text()
        assert "Traceback" not in log and "stopped" in log
        await server.start()
        await asyncio.wait_for(streaming, 60)
        await wait_for_replies(api, stream, WITHIN + 5)
        figures = tally(api, stream, server, kills=0)
        print(f"\nSIGTERM test: exit after {took:.1f} s, {stream.refused} webhooks refused with 503, {figures}")
        assert figures.updates == CHATS * PER_CHAT and figures.lost == 0 and figures.doubled == 0
        assert took < 15
    finally:
        streaming.cancel()
        server.signal(signal.SIGKILL)
        await server.wait(10)
