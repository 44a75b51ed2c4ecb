"""The inbound benchmark's load generator: learners' scripts, real-shaped Telegram updates, a seeded
database, and ``drive`` (post updates, wait for each reply at the fake Bot API, measure).
Used by ``bench/inbound.py`` and ``bench/engine_loop.py``."""

# The report and temp files block the loop briefly, outside the measured part:
# ruff: noqa: ASYNC110
from __future__ import annotations

import asyncio
import copy
import json
import socket
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import _root  # noqa: F401  (this checkout's packages first)
import aiohttp

from bot.config import BUNDLED_CONTENT
from content import load_library
from storage.db import Database, normalise_database_url
from storage.models import Address, User

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ROOT / "tests" / "fixtures" / "payloads"
SECRET = "bench-secret-token"


# --- load ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def learner_script() -> list[list[tuple[str, str]]]:
    """Per course, the steps of one learner: ("text", "/menu") or ("button", payload)."""
    library, _ = load_library(BUNDLED_CONTENT)
    scripts = []
    for course in library.ordered_courses():
        first = course.lessons[0]
        if first.quiz:
            q = first.quiz[0]
            fourth = ("button", f"quiz:{course.id}:{q.id}:{q.correct_index}")
        else:
            fourth = ("button", f"lesson:{course.id}")
        scripts.append([
            ("text", "/menu"),
            ("button", "menu:courses"),
            ("button", f"course:{course.id}"),
            ("button", f"lesson:{course.id}"),
            fourth,
            ("button", "menu:progress"),
        ])
    if not scripts:
        raise SystemExit("no courses in the bundled content")
    return scripts


class Updates:
    """Real-shaped Telegram updates built from the fixture payloads."""

    def __init__(self) -> None:
        self.text = json.loads((PAYLOADS / "telegram_text_update.json").read_text())
        self.button = json.loads((PAYLOADS / "telegram_callback_update.json").read_text())
        self.next_id = 100_000_000

    def make(self, chat: int, kind: str, value: str) -> bytes:
        self.next_id += 1
        now = int(time.time())
        if kind == "text":
            u = copy.deepcopy(self.text)
            m = u["message"]
            m["message_id"] = self.next_id % 1_000_000
            m["from"]["id"] = m["chat"]["id"] = chat
            m["from"]["username"] = m["chat"]["username"] = f"learner{chat}"
            m["date"] = now
            m["text"] = value
            m["entities"] = (
                [{"offset": 0, "length": len(value.split()[0]), "type": "bot_command"}] if value.startswith("/") else []
            )
        else:
            u = copy.deepcopy(self.button)
            q = u["callback_query"]
            q["id"] = str(4_000_000_000_000 + self.next_id)
            q["from"]["id"] = q["message"]["chat"]["id"] = chat
            q["from"]["username"] = q["message"]["chat"]["username"] = f"learner{chat}"
            q["message"]["date"] = now
            q["data"] = value
        u["update_id"] = self.next_id
        return json.dumps(u).encode()


def plan(n: int, chats: int, first_chat: int, scripts: list[list[tuple[str, str]]],
         updates: Updates) -> list[tuple[int, bytes]]:
    """``n`` updates, round-robin over ``chats`` chats: every chat's step k before any chat's step k+1."""
    out: list[tuple[int, bytes]] = []
    step = 0
    while len(out) < n:
        for i in range(chats):
            if len(out) >= n:
                break
            script = scripts[i % len(scripts)]
            kind, value = script[step % len(script)]
            chat = first_chat + i
            out.append((chat, updates.make(chat, kind, value)))
        step += 1
    return out


@dataclass
class RunResult:
    label: str
    updates: int
    seconds: float
    ttr_ms: list[float]
    sends: int
    unanswered: int
    http_errors: int
    gate_timeouts: int
    other_calls: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = float("nan")  # the bot process's CPU time (user + system) during the run

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_seconds / self.updates * 1000

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0

    def pct(self, p: float) -> float:
        if not self.ttr_ms:
            return float("nan")
        data = sorted(self.ttr_ms)
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]


class Watcher:
    """Follows the fake's sends (polling ``/_bench/records``) and wakes the chats that got a reply."""

    def __init__(self, http: aiohttp.ClientSession, fake_url: str) -> None:
        self.http = http
        self.fake_url = fake_url
        self.sends: list[tuple[int, float, str]] = []
        self.other: dict[str, int] = {}
        self.waiting: dict[int, tuple[float, asyncio.Event]] = {}

    async def poll_once(self) -> None:
        async with self.http.get(f"{self.fake_url}/_bench/records", params={"since": len(self.sends)}) as r:
            body = await r.json()
        new = [(int(c), float(t), str(m)) for c, t, m in body["sends"]]
        self.sends.extend(new)
        self.other = body["other"]
        for chat, t, _ in new:
            w = self.waiting.get(chat)
            if w is not None and t >= w[0]:
                w[1].set()
                del self.waiting[chat]

    async def run(self, every: float = 0.01) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(every)


async def reset_fake(http: aiohttp.ClientSession, fake_url: str) -> None:
    async with http.post(f"{fake_url}/_bench/reset") as r:
        r.raise_for_status()


async def drive(label: str, bot_url: str, fake_url: str, load: list[tuple[int, bytes]], concurrency: int,
                gate_timeout: float = 30.0, settle: float = 60.0) -> RunResult:
    """Post ``load`` with ``concurrency`` workers; wait for every update's reply; measure."""
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    connector = aiohttp.TCPConnector(limit=concurrency + 10)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http:
        await reset_fake(http, fake_url)
        watcher = Watcher(http, fake_url)
        posts: dict[int, list[float]] = defaultdict(list)
        last_post: dict[int, float] = {}
        pending: dict[int, asyncio.Event] = {}
        errors = 0
        gate_timeouts = 0
        cursor = iter(load)
        watch_task = asyncio.create_task(watcher.run())

        async def worker() -> None:
            nonlocal errors, gate_timeouts
            for chat, body in cursor:
                gate = pending.get(chat)
                if gate is not None:  # the previous update of this chat has no reply yet
                    try:
                        await asyncio.wait_for(gate.wait(), gate_timeout)
                    except TimeoutError:
                        gate_timeouts += 1
                event = asyncio.Event()
                t = time.monotonic()
                watcher.waiting[chat] = (t, event)
                pending[chat] = event
                posts[chat].append(t)
                last_post[chat] = t
                try:
                    async with http.post(f"{bot_url}/webhooks/telegram", data=body, headers=headers) as r:
                        await r.read()
                        if r.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        # Wait for the outstanding replies, then for the sends to settle (a reply may be two messages).
        deadline = time.monotonic() + settle
        while watcher.waiting and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        watch_task.cancel()
        try:
            await watch_task
        except asyncio.CancelledError:
            pass
        await watcher.poll_once()

    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, t, _ in watcher.sends:
        by_chat[chat].append(t)
    ttr: list[float] = []
    unanswered = 0
    for chat, times in posts.items():
        sends = sorted(by_chat.get(chat, []))
        j = 0
        for k, t in enumerate(times):
            nxt = times[k + 1] if k + 1 < len(times) else float("inf")
            while j < len(sends) and sends[j] < t:
                j += 1
            if j < len(sends) and sends[j] < nxt:
                ttr.append((sends[j] - t) * 1000)
            else:
                unanswered += 1
    first = min(t for times in posts.values() for t in times)
    last = max((t for _, t, _ in watcher.sends), default=first)
    return RunResult(label, len(load), last - first, ttr, len(watcher.sends), unanswered, errors, gate_timeouts,
                     dict(watcher.other))


async def seed(database_url: str, chats: list[int]) -> None:
    """Migrate a fresh database and add one onboarded learner per chat."""
    db = Database(normalise_database_url(database_url))
    try:
        if not db.is_sqlite:
            from sqlalchemy import text

            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await db.upgrade()
        async with db.transaction() as session:
            users = [
                User(name=f"Learner {c}", language="en", country="LA", craft="weaving", timezone="Asia/Vientiane",
                     onboarded=True, step=None, step_data={}, menu=[], profile={})
                for c in chats
            ]
            session.add_all(users)
            await session.flush()
            session.add_all(
                Address(user_id=u.id, channel="telegram", address=f"telegram:{c}", username=f"learner{c}")
                for u, c in zip(users, chats, strict=True)
            )
    finally:
        await db.close()
