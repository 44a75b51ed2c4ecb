"""Exports with the filters of the page they come from: learners and progress as CSV (streamed in batches,
memory stays flat), learners as XLSX (openpyxl's write-only mode), and the periodic report as CSV."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.console.auth import CONSOLE, TRAINER, page
from bot.console.render import filters
from storage import console as queries
from storage.console import Filters

BATCH = 2000
LEARNER_COLUMNS = ["id", "name", "language", "country", "province", "craft"]
PROGRESS_COLUMNS = ["progress_id", "user_id", "course", "lessons_done", "started_at", "completed_at"]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
        return "'" + value
    return value


def learner_columns() -> list[str]:
    return [*LEARNER_COLUMNS, *queries.optional_columns(), "channel", "created_at", "last_message_at"]


async def _batches(request: web.Request, kind: str, f: Filters) -> AsyncIterator[Sequence[Any]]:
    fetch = queries.learner_batch if kind == "learners" else queries.progress_batch
    after = 0
    while True:
        async with request.app[CONSOLE].db.transaction() as session:
            rows = await fetch(session, f, after, BATCH)
        if not rows:
            return
        yield rows
        after = rows[-1][0]


async def _stream_csv(request: web.Request, name: str, header: list[str],
                      rows: AsyncIterator[Sequence[Any]]) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/csv; charset=utf-8",
                                           "Content-Disposition": f'attachment; filename="{name}"'})
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer.writerow(header)
    async for batch in rows:
        writer.writerows([_cell(v) for v in row] for row in batch)
        await response.write(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


@page("GET", "/export/learners.csv", TRAINER)
async def learners_csv(request: web.Request) -> web.StreamResponse:
    return await _stream_csv(request, "learners.csv", learner_columns(),
                             _batches(request, "learners", filters(request)))


@page("GET", "/export/progress.csv", TRAINER)
async def progress_csv(request: web.Request) -> web.StreamResponse:
    return await _stream_csv(request, "progress.csv", PROGRESS_COLUMNS,
                             _batches(request, "progress", filters(request)))


@page("GET", "/export/learners.xlsx", TRAINER)
async def learners_xlsx(request: web.Request) -> web.StreamResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("learners")
    sheet.append(learner_columns())
    async for batch in _batches(request, "learners", filters(request)):
        for row in batch:
            sheet.append([_cell(v) for v in row])
    with tempfile.TemporaryFile() as file:  # write-only rows go to disk, not memory
        book.save(file)
        file.seek(0)
        response = web.StreamResponse(headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": 'attachment; filename="learners.xlsx"'})
        await response.prepare(request)
        while chunk := file.read(256 * 1024):
            await response.write(chunk)
    await response.write_eof()
    return response


@page("GET", "/export/report.csv", TRAINER)
async def report_csv(request: web.Request) -> web.StreamResponse:
    async with request.app[CONSOLE].db.transaction() as session:
        tables = await queries.report_tables(session, filters(request), request.app[CONSOLE].clock.now())

    async def rows() -> AsyncIterator[Sequence[Any]]:
        yield [(table, key, n) for table, entries in tables.items() for key, n in entries]

    return await _stream_csv(request, "report.csv", ["table", "group", "count"], rows())
