"""Trainer console speed at 100,000 learners (issue 15): page times and the full learners exports.

Run from the repository root (the table goes to stdout; ``--out FILE`` also writes it to FILE):

    .venv/bin/python bench/console.py                         # SQLite and PostgreSQL, 100,000 learners
    .venv/bin/python bench/console.py --users 10000 --runs 5  # a quick check
    .venv/bin/python bench/console.py --backend sqlite

Builds a fresh database with the real migrations (SQLite in a temporary folder, or ``--reuse DIR``;
PostgreSQL in ``bench_console`` on 127.0.0.1, its schema dropped first: ``--postgres URL`` to change) and
fills it in bulk (COPY on PostgreSQL, executemany on SQLite): ``--users`` learners with addresses, profile
answers, ten courses of progress each (a million rows at 100,000), most with a quiz answer, 20,000 listings,
FAQ answers, misses and tickets, announcement messages. Builds the console's summaries as the job's first
run would (every closed day, the learner snapshot; timed, and one day again). Signs a trainer in through
the real link (``smce-bot admin web-login``, its page and POST), requests each console page ``--runs``
times over HTTP (the service's aiohttp app on loopback) and prints p50/p95 per page; then downloads the
learners CSV and XLSX exports, timed, and again under ``tracemalloc`` for their peak memory (and the peak
resident memory of the process that writes the workbook). ``--exports-only`` skips the pages.
Goals: every page p95 <= 200 ms; the learners export <= 10 s with peak memory growth <= 100 MB.
"""

# The bench builds files and databases outside the measured part:
# ruff: noqa: ASYNC240
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _root  # noqa: F401 - this checkout's packages first
from _console_db import backfill, learners
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import JSON, Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.console import xlsx
from bot.service import Service
from handlers.choices import COUNTRIES, COUNTRY_LANGUAGE, CRAFTS
from handlers.console import login_link
from storage.db import Database
from storage.models import Base

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_console"
COURSES = [f"course-{i:02d}" for i in range(12)]
PROVINCES = {c: [f"{c} province {i}" for i in range(12)] for c in COUNTRIES}
SEXES = ["woman", "woman", "man", "man", "another", "undisclosed", None]
AGES = ["under_18", "18_24", "25_34", "25_34", "35_44", "45_54", "55_64", "65_plus", "undisclosed", None]
NAMES = ["Noy", "Kham", "Sok", "Lan", "Mali", "Bee", "Dao", "Som", "Ana", "Maria", "Hương", "ນ້ອຍ", "ស្រីមុំ",
         "สมศรี", "Aung", "Siti", "Juan"]
TRAINER = "terminal:bench-trainer"
BATCH = 10_000


def iso(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


class Builder:
    """Bulk inserts: COPY on PostgreSQL, executemany batches on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.counts: dict[str, int] = {}

    async def insert(self, table: Table, rows: Iterator[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                await self._flush(table, batch)
                batch = []
        if batch:
            await self._flush(table, batch)

    async def _flush(self, table: Table, batch: list[dict[str, Any]]) -> None:
        self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)
        if self.db.is_sqlite:
            async with self.db.engine.begin() as conn:
                await conn.execute(table.insert(), batch)
            return
        columns = list(batch[0])
        json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
        records = [tuple(json.dumps(row[c]) if c in json_columns else row[c] for c in columns) for row in batch]
        async with self.db.engine.connect() as conn:
            driver: Any = (await conn.get_raw_connection()).driver_connection  # asyncpg's connection
            await driver.copy_records_to_table(table.name, records=records, columns=columns)

    async def finish(self) -> None:
        async with self.db.engine.begin() as conn:
            if not self.db.is_sqlite:
                for name in self.counts:
                    if "id" in Base.metadata.tables[name].c:
                        await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                                f"(SELECT max(id) FROM {name}))"))
            if self.db.is_sqlite:
                await conn.execute(text("ANALYZE"))
        if not self.db.is_sqlite:  # as autovacuum leaves a table: its visibility map lets scans use the index only
            async with self.db.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))


async def build(db: Database, users: int, now: datetime, seed: int = 15) -> dict[str, int]:
    rnd = random.Random(seed)
    t = Base.metadata.tables
    b = Builder(db)
    countries = rnd.choices(COUNTRIES, weights=[30, 20, 15, 12, 8, 5, 4, 3, 1, 1, 1], k=users)

    def people() -> Iterator[dict[str, Any]]:
        for i in range(1, users + 1):
            country = countries[i - 1]
            yield {"id": i, "name": f"{rnd.choice(NAMES)} {i}", "language": COUNTRY_LANGUAGE[country],
                   "country": country, "province": rnd.choice(PROVINCES[country]), "craft": rnd.choice(list(CRAFTS)),
                   "sex": rnd.choice(SEXES), "age_band": rnd.choice(AGES), "timezone": None, "role": "learner",
                   "onboarded": True, "opted_out": i % 50 == 0, "step": None, "step_data": {}, "menu": [],
                   "profile": {}, "created_at": iso(now - timedelta(minutes=rnd.randrange(2 * 365 * 24 * 60)))}
        yield {"id": users + 1, "name": "Bench trainer", "language": "en", "country": "LA", "province": None,
               "craft": None, "sex": None, "age_band": None, "timezone": None, "role": "trainer", "onboarded": True,
               "opted_out": False, "step": None, "step_data": {}, "menu": [], "profile": {}, "created_at": now}

    def addresses() -> Iterator[dict[str, Any]]:
        n = 0
        for i in range(1, users + 1):
            channels = ["whatsapp" if rnd.random() < 0.7 else "telegram"] + (["telegram"] if i % 10 == 0 else [])
            for channel in channels:
                n += 1
                where = f"whatsapp:+85620{i:08d}" if channel == "whatsapp" else f"telegram:{700_000_000 + n}"
                yield {"id": n, "user_id": i, "channel": channel, "address": where, "username": None,
                       "profile_name": None, "blocked": False, "created_at": now,
                       "last_inbound_at": iso(now - timedelta(minutes=rnd.randrange(120 * 24 * 60)))}
        yield {"id": n + 1, "user_id": users + 1, "channel": "terminal", "address": TRAINER, "username": None,
               "profile_name": None, "blocked": False, "created_at": now, "last_inbound_at": now}

    def progress() -> Iterator[dict[str, Any]]:
        n = 0
        for i in range(1, users + 1):
            for course in rnd.sample(COURSES, 10):
                n += 1
                started = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
                done = rnd.randrange(6)
                finished = started + timedelta(days=rnd.randrange(1, 30))
                if finished > now:  # not yet: no completion in the future
                    done = min(done, 4)
                completed = iso(finished) if done == 5 else None
                yield {"id": n, "user_id": i, "course_id": course, "next_lesson": done, "lessons_done": done,
                       "started_at": iso(started), "updated_at": iso(started), "completed_at": completed}

    def answers() -> Iterator[dict[str, Any]]:
        n = 0
        for i in range(1, users + 1):
            for course in rnd.sample(COURSES, 8):
                n += 1
                yield {"id": n, "user_id": i, "course_id": course, "question_id": f"q{rnd.randrange(3)}",
                       "choice": rnd.randrange(3), "correct": rnd.random() < 0.7,
                       "answered_at": iso(now - timedelta(minutes=rnd.randrange(365 * 24 * 60)))}

    def listings() -> Iterator[dict[str, Any]]:
        for n in range(1, 20_001):
            seller = rnd.randrange(1, users + 1)
            created = iso(now - timedelta(minutes=rnd.randrange(365 * 24 * 60)))
            yield {"id": n, "seller_id": seller, "name": f"Silk scarf {n}", "description": "Hand-woven, natural dye.",
                   "price": "150000", "currency": "LAK", "category": rnd.choice(list(CRAFTS)),
                   "country": countries[seller - 1], "province": None, "province_key": None, "location": "Vientiane",
                   "contact": "relay", "photos": [], "status": rnd.choice(["pending", "active", "active", "expired"]),
                   "search_text": f"silk scarf {n}", "created_at": created, "updated_at": created}

    def faq(kind: str, count: int) -> Iterator[dict[str, Any]]:
        for n in range(1, count + 1):
            row: dict[str, Any] = {"id": n, "user_id": rnd.randrange(1, users + 1), "question": "How do I price?",
                                   "created_at": iso(now - timedelta(minutes=rnd.randrange(365 * 24 * 60)))}
            if kind == "answers":
                row.update(entry_id="pricing", score=0.9, helpful=None)
            elif kind == "unanswered":
                row.update(outcome="none", language="en")
            else:
                row.update(status="open", language="en")
            yield row

    def outbox() -> Iterator[dict[str, Any]]:
        for n in range(1, users // 2 + 1):
            user = rnd.randrange(1, users + 1)
            yield {"id": n, "user_id": user, "channel": "whatsapp", "address": f"whatsapp:+85620{user:08d}",
                   "kind": "broadcast", "body": {"text": "Fair on Friday"},
                   "status": rnd.choice(["sent", "delivered", "read", "failed"]), "attempts": 1,
                   "broadcast_id": 1 + n % 20, "created_at": iso(now - timedelta(days=rnd.randrange(90))),
                   "next_attempt_at": now}

    await b.insert(t["users"], people())
    await b.insert(t["addresses"], addresses())
    await b.insert(t["lesson_progress"], progress())
    await b.insert(t["quiz_answers"], answers())
    await b.insert(t["market_listings"], listings())
    await b.insert(t["faq_answers"], faq("answers", users // 3))
    await b.insert(t["faq_unanswered"], faq("unanswered", users // 10))
    await b.insert(t["faq_tickets"], faq("tickets", users // 50))
    await b.insert(t["outbox"], outbox())
    await b.finish()
    return b.counts


async def fresh_postgres(url: str) -> None:
    """Create the bench database when missing, and empty its schema."""
    parsed = make_url(url)
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    await admin.dispose()
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def sign_in(client: TestClient, settings: Settings) -> None:
    """The trainer's one-time link (as ``smce-bot admin web-login`` makes it), its page, then its POST."""
    link, why = await login_link(settings, "terminal", TRAINER, datetime.now(UTC))
    assert link, why
    path = "/admin/login/" + link.rsplit("/", 1)[1]
    page = await client.get(path)
    csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
    assert csrf, "no sign-in form"
    done = await client.post(path, data={"csrf": csrf.group(1)}, allow_redirects=False)
    assert done.status in (302, 303), done.status


async def page_urls(client: TestClient, db: Database, users: int) -> dict[str, str]:
    """The pages to time; the 100th learners page by key (``after``: the id of the 5,000th newest learner)."""
    async with db.read() as session:
        after = await session.scalar(text("SELECT id FROM users WHERE role = 'learner' ORDER BY id DESC "
                                          "LIMIT 1 OFFSET :n"), {"n": min(99 * 50, users - 1) - 1})
    pages = {
        "dashboard": "/admin",
        "dashboard, all time": "/admin?period=all",
        "dashboard, country+channel": "/admin?period=90&country=KH&channel=whatsapp",
        "dashboard, course": "/admin?period=365&course=course-03",
        "dashboard, course+country": "/admin?period=365&course=course-03&country=LA",
        "dashboard, course+channel+country": "/admin?period=30&course=course-03&channel=telegram&country=VN",
        "learners": "/admin/learners",
        "learners, search name": "/admin/learners?q=mali+12",
        "learners, search address": "/admin/learners?q=%2B8562000012",
        "learners, filtered": "/admin/learners?country=VN&channel=telegram",
        "learners, 100th page": f"/admin/learners?after={after}",
        "learner page": f"/admin/learners/{users // 2}",
        "report": "/admin/report",
        "report, all time": "/admin/report?period=all&country=LA",
        "courses": "/admin/courses",
        "courses, all time": "/admin/courses?period=all",
        "courses, all time, country": "/admin/courses?period=all&country=LA",
    }
    return pages


async def time_pages(client: TestClient, pages: dict[str, str], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for name, url in pages.items():
        response = await client.get(url)  # warm-up (and a check)
        assert response.status == 200, (url, response.status, (await response.text())[:300])
        times[name] = []
        for _ in range(runs):
            start = time.perf_counter()
            response = await client.get(url)
            await response.read()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


async def download(client: TestClient, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = await client.get(url)
    assert response.status == 200, (url, response.status)
    size = 0
    async for chunk in response.content.iter_chunked(256 * 1024):
        size += len(chunk)
    return time.perf_counter() - start, size


async def time_exports(client: TestClient) -> dict[str, tuple[float, int, float, str]]:
    """Per export: seconds, bytes, peak memory (MB) traced while it ran again, a note on the workbook writer."""
    found = {}
    for name, url in (("learners CSV", "/admin/export/learners.csv?period=all"),
                      ("learners XLSX", "/admin/export/learners.xlsx?period=all")):
        seconds, size = await download(client, url)
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        await download(client, url)
        peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20
        tracemalloc.stop()
        child = xlsx.last_child if name.endswith("XLSX") else None
        note = f", writer process {child.peak_mb:.0f} MB RSS (+{child.growth_mb:.1f} MB)" if child else ""
        found[name] = (seconds, size, peak, note)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run_backend(name: str, url: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    db = Database(url)
    if args.reuse and await learners(db) == args.users:
        await db.upgrade()
        built, counts = 0.0, {"users (reused)": args.users}
    else:
        await db.close()
        if name == "postgresql":
            await fresh_postgres(url)
        db = Database(url)
        await db.upgrade()
        start = time.perf_counter()
        counts = await build(db, args.users, datetime.now(UTC))
        built = time.perf_counter() - start
    summaries = await backfill(db)
    await db.close()
    print(f"{name}: built in {built:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), file=sys.stderr)
    settings = Settings(database_url=url, public_url=None, media_dir=folder / "media")
    service = Service(settings)
    await service.start(background=False)
    try:
        async with TestClient(TestServer(service.web_app())) as client:
            await sign_in(client, settings)
            pages = await page_urls(client, service.db, args.users)
            times = {} if args.exports_only else await time_pages(client, pages, args.runs)
            exports = await time_exports(client)
    finally:
        await service.stop()
    return {"built": built, "counts": counts, "times": times, "exports": exports, "summaries": summaries}


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    names = list(results)
    lines = [f"Trainer console, {args.users:,} learners, {args.runs} requests per page (ms, p50 / p95)", "",
             "| page | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    pages = list(next(iter(results.values()))["times"])
    for page in pages:
        cells = []
        for name in names:
            values = results[name]["times"].get(page)
            cells.append(f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f}" if values else "–")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    for export in next(iter(results.values()))["exports"]:
        cells = [f"{s:.1f} s, {size / 2**20:.1f} MB file, peak +{peak:.0f} MB{child}"
                 for s, size, peak, child in (results[n]["exports"][export] for n in names)]
        lines.append(f"| export {export} | " + " | ".join(cells) + " |")
    lines.append("| summaries: first run of the job, every closed day (one a transaction) + learner snapshot | " +
                 " | ".join("{:.0f} s ({} days) + {:.1f} s".format(*results[n]["summaries"][:3]) for n in names) + " |")
    lines.append("| summaries: one day again: computed (read only) + written (write transaction) | " + " | ".join(
        "{:.0f} ms + {:.0f} ms".format(*results[n]["summaries"][3]) for n in names) + " |")
    lines.append("| build (not measured against a goal) | " +
                 " | ".join(f"{results[n]['built']:.0f} s" for n in names) + " |")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.reuse or tmp)
        for name in backends:
            url = f"sqlite+aiosqlite:///{folder / 'console.db'}" if name == "sqlite" else args.postgres
            results[name] = await run_backend(name, url, args, folder)
    report = table(results, args)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000, help="learners to build (default 100,000)")
    parser.add_argument("--runs", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default=DEFAULT_PG, metavar="URL", help=f"default {DEFAULT_PG}")
    parser.add_argument("--reuse", default=None, metavar="DIR", help="keep the SQLite database in DIR; reuse it "
                        "(and PostgreSQL's) when it holds --users learners (dated from its build)")
    parser.add_argument("--exports-only", action="store_true", help="time the exports only, not the pages")
    parser.add_argument("--out", default=None, metavar="FILE", help="also write the Markdown table to this file")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
