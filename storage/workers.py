"""Several ``smce-bot serve`` workers on one PostgreSQL database: what they coordinate through it.

- ``lock_address``: a transaction-scoped advisory lock per address, so one person's messages are handled
  one at a time across workers (each worker also keeps its in-process lock);
- ``workers`` (``WorkerBeat``): a heartbeat row per live worker; each paces every channel at its share
  (rate ÷ live workers), so the platforms' limits hold for all workers together;
- ``job_runs`` (``JobRun``): one row per scheduled job, claimed for one run at a time with a lease, so a
  job runs once per period whatever the number of workers (a dead holder's lease runs out);
- ``single_server``: SQLite takes one worker: a second ``serve`` on the same file is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import String, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import is_postgres
from storage.models import Base
from storage.raw import Sql, in_session

ADDRESS_LOCKS = 0x534D  # first key of the two-key advisory locks on addresses (other uses pick others)
_LOCK = Sql("SELECT pg_advisory_xact_lock(:space, hashtext(:address))")


class WorkerBeat(Base):
    """A live ``serve`` process: it updates ``beat_at`` every few seconds and deletes its row on stop."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # host:pid:random
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]


class JobRun(Base):
    """When a scheduled job is next due, and who runs it now (until ``lease_until``)."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime]
    holder: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None]


# --- per-address order across workers --------------------------------------------------------------
async def lock_address(session: AsyncSession, address: str) -> None:
    """On PostgreSQL, wait for (and hold until this transaction ends) the lock of ``address``: another
    worker handling a message of the same person waits here. SQLite has one worker: nothing to do."""
    if is_postgres(session):  # on the driver (storage.raw): it runs for every message
        await (await in_session(session)).run(_LOCK, {"space": ADDRESS_LOCKS, "address": address})


# --- heartbeats -----------------------------------------------------------------------------------
async def beat(session: AsyncSession, worker: str, now: datetime) -> None:
    """This worker is alive (its row is written again if another worker pruned it)."""
    done = await session.execute(update(WorkerBeat).where(WorkerBeat.id == worker).values(beat_at=now))
    if not done.rowcount:  # type: ignore[attr-defined]
        session.add(WorkerBeat(id=worker, started_at=now, beat_at=now))


async def live_workers(session: AsyncSession, since: datetime) -> int:
    """How many workers beat at or after ``since`` (this one included, once it has beaten)."""
    return int(await session.scalar(select(func.count()).select_from(WorkerBeat).where(WorkerBeat.beat_at >= since))
               or 0)


async def prune_workers(session: AsyncSession, before: datetime) -> None:
    """Rows of workers silent since before ``before`` (killed): they no longer take a share."""
    await session.execute(delete(WorkerBeat).where(WorkerBeat.beat_at < before))


async def leave(session: AsyncSession, worker: str) -> None:
    await session.execute(delete(WorkerBeat).where(WorkerBeat.id == worker))


# --- scheduled jobs -------------------------------------------------------------------------------
async def add_jobs(session: AsyncSession, names: Iterable[str], now: datetime) -> None:
    """A row for each job not known yet, due now (rows kept from an earlier run keep their due time)."""
    values = [{"name": name, "due_at": now} for name in names]
    if not values:
        return
    insert = pg_insert if is_postgres(session) else sqlite_insert
    await session.execute(insert(JobRun).values(values).on_conflict_do_nothing(index_elements=["name"]))


async def claim_job(session: AsyncSession, name: str, worker: str, now: datetime, until: datetime) -> bool:
    """Take the job's run if it is due and nobody holds it (or the holder's lease ran out)."""
    done = await session.execute(
        update(JobRun)
        .where(JobRun.name == name, JobRun.due_at <= now,
               (JobRun.lease_until.is_(None)) | (JobRun.lease_until < now))
        .values(holder=worker, lease_until=until))
    return bool(done.rowcount)  # type: ignore[attr-defined]


async def renew_job(session: AsyncSession, name: str, worker: str, until: datetime) -> None:
    await session.execute(update(JobRun).where(JobRun.name == name, JobRun.holder == worker)
                          .values(lease_until=until))


async def finish_job(session: AsyncSession, name: str, worker: str, next_due: datetime) -> None:
    """The run is over: next due at ``next_due``, held by nobody."""
    await session.execute(update(JobRun).where(JobRun.name == name, JobRun.holder == worker)
                          .values(due_at=next_due, holder=None, lease_until=None))


async def next_due(session: AsyncSession, name: str) -> datetime | None:
    return await session.scalar(select(JobRun.due_at).where(JobRun.name == name))


# --- SQLite: one server per file ------------------------------------------------------------------
class AnotherServer(RuntimeError):
    """A second ``smce-bot serve`` on a SQLite database that already has one."""


class ServerLock:
    """An exclusive lock on ``<database>.serve.lock`` held while this process serves; the kernel drops it
    when the process ends, however it ends (a killed server's successor starts at once)."""

    def __init__(self, handle: IO[str] | None) -> None:
        self._handle = handle

    @property
    def held(self) -> bool:
        """This process is the database's only server (SQLite file)."""
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def single_server(database_url: str) -> ServerLock:
    """For SQLite files, the lock that makes this the only ``serve`` on the file (``AnotherServer`` if one
    runs already); PostgreSQL and in-memory databases need none."""
    if not database_url.startswith("sqlite"):
        return ServerLock(None)
    database = make_url(database_url).database
    if not database or database == ":memory:" or "mode=memory" in database:
        return ServerLock(None)
    path = Path(database.removeprefix("file:").split("?", 1)[0])
    lock_path = path.with_name(path.name + ".serve.lock")
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise AnotherServer(
            f"another smce-bot serve ({holder}) already uses the SQLite database {path}. SQLite takes one "
            "worker: stop that one first, or use PostgreSQL (DATABASE_URL=postgresql://...) for several "
            "workers.") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    return ServerLock(handle)
