"""In-process loop over ``Engine.handle`` with the inbound benchmark's learner script: CPU ms and SQL
statements per update, without HTTP (the engine's own cost). Outbox rows are marked sent between rounds.
"through SQLAlchemy" counts the statements SQLAlchemy runs; "on the driver" counts every statement the
driver runs, those of ``storage.raw`` included: on SQLite each statement (BEGIN and COMMIT among them), on
PostgreSQL each request to the server (asyncpg's count: a round trip each, BEGIN and COMMIT included).

Run from the repository root (it prints its one line to stdout):

    .venv/bin/python bench/engine_loop.py [--db URL] [-n 3000] [--chats 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from inbound_load import learner_script, seed
from sqlalchemy import event, update

from bot.config import Settings
from bot.service import Service
from bot.types import Channel, Inbound
from storage.db import normalise_database_url
from storage.models import Outbox


async def run(args: argparse.Namespace) -> None:
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{tmp.name}/loop.db"
    chats = list(range(5000, 5000 + args.chats))
    await seed(url, chats)
    settings = Settings(database_url=normalise_database_url(url), media_dir=Path(tmp.name) / "media")
    driver = DriverCount()
    service = Service(settings)
    await service.start(background=False)
    statements: Counter[str] = Counter()

    @event.listens_for(service.db.engine.sync_engine, "before_cursor_execute")
    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1

    scripts = learner_script()
    step = [0] * len(chats)
    update_id = 0

    def next_batch() -> list[Inbound]:
        nonlocal update_id
        batch = []
        for i, chat in enumerate(chats):
            script = scripts[i % len(scripts)]
            kind, value = script[step[i] % len(script)]
            step[i] += 1
            update_id += 1
            batch.append(Inbound(channel=Channel.TELEGRAM, address=f"telegram:{chat}", external_id=str(update_id),
                                 text=value if kind == "text" else "", payload=value if kind == "button" else None,
                                 language_hint="en", profile_name="Learner", username=f"learner{chat}"))
        return batch

    for _ in range(2):  # warm-up
        await asyncio.gather(*(service.engine.handle(m) for m in next_batch()))
    statements.clear()
    driver.start()
    handled = 0
    cpu = time.process_time()
    wall = time.perf_counter()
    on_driver = 0
    while handled < args.n:
        batch = next_batch()
        await asyncio.gather(*(service.engine.handle(m) for m in batch))
        handled += len(batch)
        on_driver += driver.count()
        async with service.db.transaction() as s:  # keep the outbox table small, as the worker would
            await s.execute(update(Outbox).where(Outbox.status == "pending").values(status="sent"))
        driver.start()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    sql = {k: round(v / handled, 2) for k, v in statements.most_common()}
    print(f"{handled} updates: {cpu / handled * 1000:.2f} CPU ms/update, {handled / wall:.0f} updates/s in-process; "
          f"SQL per update through SQLAlchemy (incl. outbox cleanup) {sum(statements.values()) / handled:.2f} {sql}; "
          f"on the driver (without the cleanup) {on_driver / handled:.2f}")
    await service.stop()
    tmp.cleanup()


class DriverCount:
    """Statements the database driver runs, however they got there (see the module's docstring)."""

    def __init__(self) -> None:
        self.seen = 0
        self.pg: list[Any] = []
        self._mark = 0
        sqlite_connect, self._sqlite_connect = sqlite3.connect, sqlite3.connect

        def traced(*a: Any, **kw: Any) -> sqlite3.Connection:
            conn = sqlite_connect(*a, **kw)
            conn.set_trace_callback(self._statement)
            return conn

        sqlite3.connect = traced  # type: ignore[assignment]
        try:
            import asyncpg
        except ImportError:  # pragma: no cover
            return
        pg_connect = asyncpg.connect

        async def kept(*a: Any, **kw: Any) -> Any:
            conn = await pg_connect(*a, **kw)
            self.pg.append(conn)
            return conn

        asyncpg.connect = kept

    def _statement(self, _sql: str) -> None:
        self.seen += 1

    def _total(self) -> int:
        return self.seen + sum(c._protocol.queries_count for c in self.pg)  # closed ones too (overflow)

    def start(self) -> None:
        self._mark = self._total()

    def count(self) -> int:
        return self._total() - self._mark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=None)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
