"""Exports with the filters of the page they come from, as CSV and as XLSX (openpyxl's write-only mode):
learners, progress, course completions, listings and the questions the FAQ did not answer; plus the periodic
report as CSV. Rows are read in batches by ascending id and streamed, so memory stays flat. A workbook is
written by a child process (``bot.console.xlsx``) fed the batches as they are read, never on the event loop;
``MAX_WRITERS`` at a time. Downloads are reads: they are not audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console import xlsx
from bot.console.auth import CONSOLE, TRAINER, Handler, page
from bot.console.render import filters, texts
from bot.i18n import N_
from storage import console as queries
from storage import console_exports as more
from storage.console import Filters

log = logging.getLogger(__name__)

BATCH = 2000
MAX_WRITERS = 1  # workbooks written at a time: a child takes a core for ~7 s at 100,000 rows, and there are 2
MAX_WAITING = 4  # requests waiting for a writer; more get 503 with BUSY
CONTROL = re.compile(r"[\000-\010\013\014\016-\037]")  # control characters: a workbook cannot hold them
BUSY = N_("Other Excel exports are being written. Try again in a minute, or download the CSV.")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEARNER_COLUMNS = ["id", "name", "language", "country", "province", "craft"]
PROGRESS_COLUMNS = ["progress_id", "user_id", "course", "lessons_done", "started_at", "completed_at"]

Fetch = Callable[[AsyncSession, Filters, datetime, int, int], Awaitable[Sequence[Any]]]


@dataclass(frozen=True)
class Export:
    """One export: its columns, how to read a batch (rows keyed by their first value), and whether that key
    is a column of the file (else it is dropped from each row)."""

    name: str
    columns: Callable[[], list[str]]
    fetch: Fetch
    key_is_column: bool = True


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):  # never a formula in a sheet
            value = "'" + value
        return CONTROL.sub("", value) if CONTROL.search(value) else value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def learner_columns() -> list[str]:
    return [*LEARNER_COLUMNS, *queries.optional_columns(), "channel", "created_at", "last_message_at"]


EXPORTS = {export.name: export for export in (
    Export("learners", learner_columns, lambda s, f, now, after, n: queries.learner_batch(s, f, after, n)),
    Export("progress", lambda: PROGRESS_COLUMNS, lambda s, f, now, after, n: queries.progress_batch(s, f, after, n)),
    Export("completions", lambda: ["learner_id", "learner", "course", "completed_at", "certificate"],
           more.completion_batch, key_is_column=False),
    Export("listings", lambda: ["id", "seller_id", "seller", "title", "price", "currency", "status", "created_at",
                                "expires_at"], more.listing_batch),
    Export("faq_misses", lambda: ["id", "question", "language", "outcome", "created_at", "handed_over"],
           more.faq_miss_batch),
)}


async def _batches(request: web.Request, export: Export, f: Filters) -> AsyncIterator[list[list[Any]]]:
    console = request.app[CONSOLE]
    now = console.clock.now()
    after = 0
    while True:
        async with console.db.read() as session:
            rows = await export.fetch(session, f, now, after, BATCH)
        if not rows:
            return
        after = rows[-1][0]
        start = 0 if export.key_is_column else 1
        yield [[_cell(v) for v in row[start:]] for row in rows]


async def _stream_csv(request: web.Request, name: str, header: list[str],
                      rows: AsyncIterator[Sequence[Sequence[Any]]]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/csv; charset=utf-8",
                                           "Content-Disposition": f'attachment; filename="{name}"'})
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer.writerow(header)
    async for batch in rows:
        writer.writerows(batch)
        await response.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


class Writers:
    """At most ``MAX_WRITERS`` workbooks written at a time (each child takes a core for seconds); up to
    ``MAX_WAITING`` more requests wait their turn, in order; beyond that the answer is 503."""

    def __init__(self) -> None:
        self.slots = asyncio.Semaphore(MAX_WRITERS)
        self.waiting = 0


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Writers] = weakref.WeakKeyDictionary()


def writers() -> Writers:
    """This event loop's writers (one per loop: a semaphore belongs to one loop)."""
    return _writers.setdefault(asyncio.get_running_loop(), Writers())


def _gone(request: web.Request) -> bool:
    """Whether the client closed its connection (aiohttp does not cancel the handler then)."""
    return request.transport is None or request.transport.is_closing()


async def _take_slot(request: web.Request, limit: Writers) -> bool:
    """Wait for a writer slot while the client is there; False if it left."""
    limit.waiting += 1
    acquire = asyncio.ensure_future(limit.slots.acquire())
    taken = False
    try:
        taken = await xlsx.finished(acquire, lambda: _gone(request))
        return taken
    finally:
        limit.waiting -= 1
        if not acquire.done():
            acquire.cancel()
        elif not taken and not acquire.cancelled():  # acquired just as the request was cancelled
            limit.slots.release()


async def _stream_xlsx(request: web.Request, name: str, header: list[str],
                       rows: AsyncIterator[Sequence[Sequence[Any]]]) -> web.StreamResponse:
    """The workbook is written by a child process (``bot.console.xlsx``) while the rows are read, then sent."""
    limit = writers()
    if limit.slots.locked() and limit.waiting >= MAX_WAITING:
        return web.Response(status=503, text=texts(request).t.gettext(BUSY), headers={"Retry-After": "30"})
    if not await _take_slot(request, limit):
        raise web.HTTPRequestTimeout()  # nobody reads it: the client left
    try:
        with xlsx.export_folder() as folder:
            try:
                path = await xlsx.write_book(folder, name, header, rows, lambda: _gone(request))
            except xlsx.ClientGone:
                raise web.HTTPRequestTimeout() from None
            except xlsx.XlsxFailed as exc:
                log.error("the %s workbook was not written: %s", name, exc)
                raise web.HTTPInternalServerError() from None
            response = web.StreamResponse(headers={"Content-Type": XLSX,
                                                   "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
            response.content_length = path.stat().st_size
            await response.prepare(request)
            with path.open("rb") as file, contextlib.suppress(ConnectionResetError):  # the client left
                while chunk := file.read(256 * 1024):  # a local file of a few MB: short reads
                    await response.write(chunk)
                await response.write_eof()
            return response
    finally:
        limit.slots.release()


def _declare(export: Export) -> None:
    async def as_csv(request: web.Request) -> web.StreamResponse:
        return await _stream_csv(request, f"{export.name}.csv", export.columns(),
                                 _batches(request, export, filters(request)))

    async def as_xlsx(request: web.Request) -> web.StreamResponse:
        return await _stream_xlsx(request, export.name, export.columns(), _batches(request, export, filters(request)))

    handlers: tuple[tuple[str, Handler], ...] = (("csv", as_csv), ("xlsx", as_xlsx))
    for suffix, handler in handlers:
        handler.__name__ = f"{export.name}_{suffix}"
        page("GET", f"/export/{export.name}.{suffix}", TRAINER)(handler)


for _export in EXPORTS.values():
    _declare(_export)


@page("GET", "/export/report.csv", TRAINER)
async def report_csv(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.read() as session:
        tables = await queries.report_tables(session, filters(request), request.app[CONSOLE].clock.now())

    async def rows() -> AsyncIterator[Sequence[Any]]:
        yield [(table, key, n) for table, entries in tables.items() for key, n in entries]

    return await _stream_csv(request, "report.csv", ["table", "group", "count"], rows())
