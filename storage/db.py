"""Database access: one async engine, short transactions, Alembic migrations.

SQLite (the embedded default) runs in WAL mode and takes writes one transaction at a time (a
process-wide lock, because SQLite allows one writer); PostgreSQL takes many at once and rows are locked
with ``SELECT ... FOR UPDATE`` where order matters.

SQLite statements run inline on the event loop (``_InlineSQLite``) instead of in aiosqlite's thread: a
statement on a local WAL file takes microseconds, while each hop to the thread and back (four per
statement) cost more than the statement itself and most of an update's time in the inbound benchmark
(bench/README.md). Writers in this process never wait on each other (the write lock); only another
process holding SQLite's write lock (a CLI command) can make a statement wait, for that long.

WAL checkpoints (copying the log back into the database file, with an fsync) run in a thread every
``CHECKPOINT_EVERY`` write transactions instead of inside whichever commit crossed SQLite's automatic
threshold: inline, that commit stalled the whole event loop for 100-300 ms (bench/broadcast.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.raw import Raw, driver_of

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite+aiosqlite:///smce.db"
CHECKPOINT_EVERY = 200  # write transactions between WAL checkpoints (SQLite)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


class Database:
    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            engine_kwargs.setdefault("async_creator", _inline_sqlite(url))
        else:
            engine_kwargs.setdefault("pool_size", 10)
            engine_kwargs.setdefault("max_overflow", 10)
        self.engine: AsyncEngine = create_async_engine(url, **engine_kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = WriteLock() if self.is_sqlite else None
        database = make_url(url).database if self.is_sqlite else None
        self._sqlite_file = database if database and database != ":memory:" and "mode=memory" not in database else None
        self._writes = 0
        self._checkpoint: asyncio.Task[None] | None = None
        self._raw: sqlite3.Connection | None = None  # ``raw``'s connections
        self._pool: Any = None

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed when the block ends, rolled back if it raises.

        ``urgent`` (the outbox's short claim and result writes) goes ahead of waiting handlers on
        SQLite, so replies are not held up behind every update that arrived meanwhile.
        """
        async with self._write_lock.hold(urgent) if self._write_lock else nullcontext():
            # Begun by its first statement and done by ``commit``, which also hands the connection back:
            # each of the session's steps is a hop into SQLAlchemy's greenlet, and a message's transaction
            # took five (begin, connection, commit, close) where two are needed.
            session = self.sessions()
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.close()  # rolls back
                raise
        self._wrote()

    @asynccontextmanager
    async def raw(self, *, urgent: bool = False, begin: bool = True) -> AsyncIterator[Raw]:
        """One transaction of plain statements (``storage.raw``) on a connection kept for them: the
        outbox's claims and result writes, several per message sent, without the session's cost.

        ``begin=False`` (PostgreSQL): no BEGIN and COMMIT around them, each statement commits on its own,
        two round trips fewer; for callers that run one statement, or make several atomic themselves
        (``Raw.atomic``). SQLite begins a transaction either way (it costs no round trip)."""
        if self._write_lock is None:
            pool = await self._raw_pool()
            async with pool.acquire() as conn:
                if not begin:
                    yield Raw(conn, True)
                    return
                async with conn.transaction():
                    yield Raw(conn, True)
            return
        async with self._write_lock.hold(urgent):
            conn = await self._raw_sqlite()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Raw(conn, False)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        self._wrote()

    async def _raw_sqlite(self) -> sqlite3.Connection:
        if self._raw is None:
            if self._sqlite_file is not None:
                self._raw = sqlite3.connect(self._sqlite_file, timeout=30, check_same_thread=False,
                                            uri=self._sqlite_file.startswith("file:"))
                _sqlite_pragmas(self._raw, None)
            else:  # in memory: the one connection SQLAlchemy's pool shares
                async with self.engine.connect() as conn:
                    self._raw = driver_of((await conn.get_raw_connection()).dbapi_connection)
        return self._raw

    async def _raw_pool(self) -> Any:
        if self._pool is None:
            import asyncpg  # PostgreSQL only

            dsn = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
            # The outbox's writes do not wait for the WAL flush: a crash of the bot cannot lose a commit
            # (the server has it), and a crash of the database server could at worst send a message again
            # (a lease or a result not kept), never lose one. A result is written before every send.
            # ``reset``: a connection handed back is not reset with a query of its own (a round trip on every
            # release; these connections take no locks, settings or listeners that outlive a transaction, and
            # asyncpg still rolls back one left open).
            self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4, reset=_keep,
                                                   server_settings={"synchronous_commit": "off"})
        return self._pool

    def _wrote(self) -> None:
        """A write transaction ended: every ``CHECKPOINT_EVERY``, checkpoint the WAL in a thread."""
        if self._sqlite_file is not None:
            self._writes += 1
            if self._writes >= CHECKPOINT_EVERY and (self._checkpoint is None or self._checkpoint.done()):
                self._writes = 0
                self._checkpoint = asyncio.create_task(asyncio.to_thread(_wal_checkpoint, self._sqlite_file))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only (no lock on SQLite: WAL readers never wait for the writer)."""
        async with self.sessions() as session:
            yield session

    async def upgrade(self) -> None:
        """Apply Alembic migrations up to head (run at start and by ``smce-bot db upgrade``)."""
        async with self.engine.begin() as conn:
            await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), "head"))

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._raw is not None and self._sqlite_file is not None:
            self._raw.close()
        self._raw = None
        await self.engine.dispose()


class WriteLock:
    """SQLite's one writer at a time: first come, first served, but ``urgent`` waiters go first."""

    def __init__(self) -> None:
        self._locked = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def hold(self, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._locked and not self._urgent and not self._normal:
            self._locked = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._normal).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed the lock just as we were cancelled: pass it on
            raise

    def _release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the lock passes straight to this waiter
                    return
        self._locked = False


class _InlineCursor:
    """aiosqlite's cursor interface over a plain ``sqlite3`` cursor, run on the calling thread."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> _InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> _InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _InlineSQLite:
    """The part of ``aiosqlite.Connection`` SQLAlchemy's aiosqlite dialect uses, without the thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # the dialect checks it before commit/rollback

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level


def _inline_sqlite(url: str) -> Callable[[], Awaitable[_InlineSQLite]]:
    database = make_url(url).database or ":memory:"

    async def connect() -> _InlineSQLite:
        conn = sqlite3.connect(database, timeout=30, check_same_thread=False, uri=database.startswith("file:"))
        return _InlineSQLite(conn)

    return connect


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _keep(_conn: Any) -> None:
    """A raw pool connection handed back needs no reset query (see ``Database._raw_pool``)."""


def _wal_checkpoint(database: str) -> None:
    """Copy the WAL back into the database file, without waiting for readers or writers (a thread)."""
    conn = sqlite3.connect(database, timeout=0, uri=database.startswith("file:"))
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        pass  # busy: the next one will do it
    finally:
        conn.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # Database.transaction checkpoints in a thread
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


T = TypeVar("T")


def run_with_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """For command-line tools: open the database (migrated to the head), run ``work`` with it, close it."""

    async def main() -> T:
        db = Database(url)
        try:
            await db.upgrade()
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(main())
