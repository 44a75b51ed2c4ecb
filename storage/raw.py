"""Statements run on the database driver itself, for the few that run for every message and every send.

Through SQLAlchemy's session an empty transaction costs ~175 µs of CPU and each small statement ~200 µs
more; the same UPDATE and its commit on ``sqlite3`` take ~10 µs (bench/README.md, "Inbound"). So the
outbox's claims and result writes (a transaction for every message sent) and the fixed part of handling a
message (the dedupe row, the address's last contact, the menu, the outbox rows) are written here as plain
SQL, the same on both databases but for the placeholders (``?`` on SQLite, ``$1`` on PostgreSQL), and
with the column formats SQLAlchemy uses (``UTCDateTime`` as ``YYYY-MM-DD HH:MM:SS.ffffff`` UTC text on
SQLite, ``timestamptz`` on PostgreSQL; JSON as text). Everything else keeps the ORM.

``Raw`` is one transaction on a connection of its own (``Database.raw``); ``in_session`` runs statements
inside an ORM session's transaction, on its connection.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.attributes import instance_state

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
UNIQUE_VIOLATIONS: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
try:  # PostgreSQL's driver is optional (SQLite needs none)
    import asyncpg

    UNIQUE_VIOLATIONS += (asyncpg.UniqueViolationError,)
except ImportError:  # pragma: no cover
    asyncpg = None


def sqlite_time(moment: datetime) -> str:
    """A UTC time as SQLAlchemy's SQLite ``DATETIME`` stores it (compared as text: the format must match)."""
    m = moment.astimezone(UTC)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}:{m.second:02d}."
            f"{m.microsecond:06d}")


def to_db(value: Any, postgres: bool) -> Any:
    """A Python value as the driver takes it for our columns."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC) if postgres else sqlite_time(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def from_json(value: Any) -> Any:
    """A JSON column's value: text from a plain driver connection, already parsed from SQLAlchemy's."""
    return json.loads(value) if isinstance(value, str | bytes) else value


class Sql:
    """One statement with ``:name`` parameters, prepared for both placeholder styles once."""

    __slots__ = ("names", "pg", "sqlite")

    def __init__(self, sql: str) -> None:
        self.names: list[str] = []
        for name in _NAMED.findall(sql):
            if name not in self.names:
                self.names.append(name)
        self.sqlite = sql  # sqlite3 takes ``:name`` itself
        self.pg = _NAMED.sub(lambda m: f"${self.names.index(m.group(1)) + 1}", sql)

    def args(self, params: Mapping[str, Any], postgres: bool) -> tuple[Any, ...] | dict[str, Any]:
        if postgres:
            return tuple(to_db(params[n], True) for n in self.names)
        return {n: to_db(params[n], False) for n in self.names}


class Query:
    """SQL built at run time (``IN`` lists of any length) with positional parameters for one database."""

    __slots__ = ("args", "postgres", "sql")

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.args: list[Any] = []
        self.sql = ""

    def p(self, value: Any) -> str:
        """A placeholder for ``value``."""
        self.args.append(to_db(value, self.postgres))
        return f"${len(self.args)}" if self.postgres else "?"

    def in_(self, values: Iterable[Any]) -> str:
        """``IN (...)`` of ``values`` (``= ANY($n)``, one array parameter, on PostgreSQL)."""
        values = list(values)
        if self.postgres:
            self.args.append([to_db(v, True) for v in values])  # an array, not JSON
            return f"= ANY(${len(self.args)})"
        if not values:
            return "IN (NULL)"
        return "IN (" + ", ".join(self.p(v) for v in values) + ")"


class Raw:
    """One transaction's statements on a driver connection (``sqlite3`` run inline, or asyncpg)."""

    __slots__ = ("_conn", "postgres")

    def __init__(self, conn: Any, postgres: bool) -> None:
        self._conn = conn
        self.postgres = postgres

    async def run(self, sql: Sql | str, params: Mapping[str, Any] | Sequence[Any] = ()) -> int:
        """Execute; returns the rows changed."""
        if self.postgres:
            status = await self._conn.execute(*self._pg(sql, params))
            tail = status.rsplit(" ", 1)[-1]
            return int(tail) if tail.isdigit() else 0
        cursor = self._conn.execute(*self._sqlite(sql, params))
        return int(cursor.rowcount)

    async def fetch(self, sql: Sql | str, params: Mapping[str, Any] | Sequence[Any] = ()) -> list[Any]:
        if self.postgres:
            return list(await self._conn.fetch(*self._pg(sql, params)))
        return self._conn.execute(*self._sqlite(sql, params)).fetchall()

    async def many(self, sql: Sql, rows: Iterable[Mapping[str, Any]]) -> None:
        """The statement once per row (one executemany)."""
        if self.postgres:
            await self._conn.executemany(sql.pg, [sql.args(r, True) for r in rows])
        else:
            self._conn.executemany(sql.sqlite, [sql.args(r, False) for r in rows])

    def atomic(self) -> AbstractAsyncContextManager[Any]:
        """A transaction around several statements where none is open (``Database.raw(begin=False)``)."""
        if self.postgres and not self._conn.is_in_transaction():
            return cast(AbstractAsyncContextManager[Any], self._conn.transaction())
        return nullcontext()

    def _pg(self, sql: Sql | str, params: Mapping[str, Any] | Sequence[Any]) -> tuple[Any, ...]:
        if isinstance(sql, Sql):
            return (sql.pg, *sql.args(params, True))  # type: ignore[arg-type]
        return (sql, *params)

    def _sqlite(self, sql: Sql | str, params: Mapping[str, Any] | Sequence[Any]) -> tuple[str, Any]:
        if isinstance(sql, Sql):
            return sql.sqlite, sql.args(params, False)  # type: ignore[arg-type]
        return sql, params


async def in_session(session: AsyncSession) -> Raw:
    """The driver connection under ``session``'s transaction. SQLAlchemy begins a PostgreSQL transaction
    at its first statement: begun here if none ran yet. On SQLite ``sqlite3`` begins one before a write.
    Kept in the session's ``info`` for the rest of the transaction (its connection does not change)."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get("raw")
    if kept is not None and kept[0] is transaction and transaction is not None:
        return kept[1]
    raw = await _driver(session)
    session.info["raw"] = (session.sync_session.get_transaction(), raw)
    return raw


async def _driver(session: AsyncSession) -> Raw:
    postgres = session.sync_session.get_bind().dialect.name == "postgresql"
    adapted: Any = await session.run_sync(lambda s: s.connection().connection.dbapi_connection)  # one hop
    if postgres and adapted._transaction is None:
        await adapted._start_transaction()
    return Raw(driver_of(adapted), postgres)


def driver_of(adapted: Any) -> Any:
    """The driver's own connection under SQLAlchemy's adapted DBAPI connection: asyncpg's, or the sqlite3
    connection of ``storage.db``'s ``_InlineSQLite`` (the one place that knows these attribute names)."""
    driver = adapted._connection
    return getattr(driver, "_conn", driver)


class Loader:
    """Rows of one mapped table fetched on the driver, made into objects the session holds exactly as if
    its own query had loaded them (values through SQLAlchemy's result processors for the dialect, history
    reset, persistent): the ORM's query machinery cost ~0.5 ms for the user behind every message."""

    def __init__(self, model: type[Any], *, read_only: bool = False) -> None:
        """``read_only``: objects not attached to the session (about a tenth of the cost), for rows no
        caller changes; a change to one would not be written."""
        self.model = model
        self.read_only = read_only
        mapper = sa_inspect(model)
        self.columns = list(model.__table__.columns)
        self.keys = [mapper.get_property_by_column(c).key for c in self.columns]
        self.table = model.__table__.name
        self._mapper = mapper
        self._manager = mapper.class_manager
        self._pk = [self.columns.index(c) for c in mapper.primary_key]
        self._queries: dict[Sql, Sql] = {}
        self._processors: dict[str, list[Any]] = {}

    def select(self, alias: str) -> str:
        """The column list, for ``SELECT``."""
        return ", ".join(f"{alias}.{c.name}" for c in self.columns)

    async def load(self, session: AsyncSession, where: Sql, params: Mapping[str, Any]) -> list[Any]:
        """``SELECT`` this table's rows ``WHERE`` (a condition on its columns, unqualified) as objects.
        Like the ORM's query, changes the session holds are flushed first, so the rows include them."""
        if session.new or session.deleted or session.dirty:
            await session.flush()
        sql = self._queries.get(where)
        if sql is None:
            sql = self._queries[where] = Sql(f"SELECT {self.select(self.table)} FROM {self.table} WHERE {where.sqlite}")
        raw = await in_session(session)
        return [self.make(session, row, raw) for row in await raw.fetch(sql, params)]

    def make(self, session: AsyncSession, values: Sequence[Any], raw: Raw | None = None) -> Any:
        """The object of one row (``values`` in ``select`` order), added to ``session`` as persistent; the
        object the session already holds for that row, unchanged, if it has one (as the ORM's query does).
        ``raw``: the driver connection it came from (says which database's formats the values are in)."""
        postgres = raw.postgres if raw is not None else session.sync_session.get_bind().dialect.name == "postgresql"
        processors = self._processors.get("postgresql" if postgres else "sqlite")
        if processors is None:
            configure_mappers()  # the ORM does it at its first query; this may come before any
            dialect = session.sync_session.get_bind().dialect
            processors = self._processors[dialect.name] = [
                c.type._cached_result_processor(dialect, None) for c in self.columns]
        key = (self._mapper._identity_class, tuple(values[i] for i in self._pk), None)  # int keys: unprocessed
        held = session.identity_map.get(key)
        if held is not None:
            return held
        obj = self._manager.new_instance()  # no constructor and no attribute events: values straight in,
        obj.__dict__.update((name, p(v) if p is not None else v)  # so loaded, not changes
                            for name, p, v in zip(self.keys, processors, values, strict=True))
        if self.read_only:
            return obj
        # Persistent in the session, as the ORM's own loading makes a row's new object (loading.py:
        # ``_instance``): identity key, session, identity map. (``make_transient_to_detached`` and
        # ``session.add`` did the same with a cascade over the relationships, ~40% of this function.)
        state = instance_state(obj)
        state.key = key
        state.identity_token = None
        sync = session.sync_session
        state.session_id = sync.hash_key
        sync.identity_map._add_unpresent(state, key)
        return obj
