"""Excel workbooks written in a child process, so that openpyxl's per-cell work (about 6 s of CPU for 100,000
rows of 11 columns) never runs on the server's event loop, and overlaps with reading the next rows.

The parent (``write_book``) starts this file as a script (``python -P xlsx.py FOLDER TITLE``: nothing of
this checkout is importable there, it needs only the standard library and openpyxl), then sends the header
and each batch of rows as it reads them, over the child's stdin: a 4-byte big-endian length and a pickle of
a list of rows; a length of 0 means "all sent". The child appends them to a write-only worksheet and saves
the workbook as ``FOLDER/book.xlsx``; its errors go to ``FOLDER/errors.txt`` and its peak memory to
``FOLDER/stats.json``. The pipe applies back-pressure, so at most a batch or two wait in memory.

Everything lives in FOLDER, a temporary folder of one export that the caller removes (openpyxl's own
temporary file too): ``export_folder()``. A child whose stdin ends without the final 0 (the parent gave up
or died) saves nothing, removes FOLDER and exits. ``write_book`` kills its child on any error, on
cancellation (server shutdown) and when ``gone()`` says the client left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

BOOK = "book.xlsx"
ERRORS = "errors.txt"
STATS = "stats.json"
END = (0).to_bytes(4, "big")
POLL = 0.2  # seconds between checks that the client is still there while the child saves


class XlsxFailed(Exception):
    """The child could not write the workbook (its error output is the message)."""


class ClientGone(Exception):
    """The client left before the workbook was written: the child was stopped."""


@dataclass(frozen=True)
class ChildStats:
    """What the last child reported: rows written, seconds, its resident memory after start-up and at peak (MB)."""

    rows: int
    seconds: float
    base_mb: float
    peak_mb: float

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.base_mb


last_child: ChildStats | None = None  # the last workbook's child (the bench prints it)


@contextlib.contextmanager
def export_folder() -> Iterator[Path]:
    """A temporary folder for one workbook, removed on leaving (whatever the child left in it)."""
    folder = Path(tempfile.mkdtemp(prefix="smce-xlsx-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def child_command(folder: Path, title: str) -> list[str]:
    """The child's command line (``-P``: this file's folder is not put on ``sys.path``)."""
    return [sys.executable, "-P", str(Path(__file__).resolve()), str(folder), title]


def _errors_file(folder: Path) -> BinaryIO:
    return (folder / ERRORS).open("wb")


async def finished(future: asyncio.Future[Any], gone: Callable[[], bool]) -> bool:
    """Wait for ``future``, checking every ``POLL`` seconds that the client is still there: False if
    ``gone()`` turned true first (``future`` is left running)."""
    while not (await asyncio.wait({future}, timeout=POLL))[0]:
        if gone():
            return False
    return True


def _frame(rows: Sequence[Sequence[Any]]) -> bytes:
    data = pickle.dumps(list(rows), protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


async def write_book(folder: Path, title: str, header: Sequence[str], batches: AsyncIterator[Sequence[Sequence[Any]]],
                     gone: Callable[[], bool] = lambda: False) -> Path:
    """Write ``header`` and ``batches`` to a one-sheet workbook in ``folder`` (from ``export_folder()``) by a
    child process, and return its path. Raises ``XlsxFailed`` when the child fails, ``ClientGone`` when
    ``gone()`` turns true; the child never outlives the call."""
    global last_child
    with _errors_file(folder) as errors:
        child = await asyncio.create_subprocess_exec(*child_command(folder, title), stdin=asyncio.subprocess.PIPE,
                                                     stdout=asyncio.subprocess.DEVNULL, stderr=errors)
    try:
        assert child.stdin is not None
        try:
            child.stdin.write(_frame([header]))
            async for batch in batches:
                if gone():
                    raise ClientGone
                child.stdin.write(_frame(batch))
                await child.stdin.drain()
            child.stdin.write(END)
            await child.stdin.drain()
            child.stdin.close()
        except (BrokenPipeError, ConnectionResetError):  # the child died: its errors say why
            await child.wait()
        if not await finished(asyncio.ensure_future(child.wait()), gone):
            raise ClientGone
        if child.returncode != 0:
            text = (folder / ERRORS).read_text(errors="replace").strip()
            raise XlsxFailed(text[-2000:] or f"the workbook writer exited with {child.returncode}")
        with contextlib.suppress(OSError, ValueError, KeyError):
            last_child = ChildStats(**json.loads((folder / STATS).read_text()))
        return folder / BOOK
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()


# The child: only the standard library and openpyxl from here on.

def _read(source: BinaryIO, n: int) -> bytes:
    data = source.read(n)
    if len(data) < n:
        raise EOFError
    return data


def _memory_mb(field: str) -> float:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MB; from /proc, as
    ``ru_maxrss`` counts the server's memory too (the peak of the forked copy before it ran this file)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: an upper bound


def main(argv: list[str]) -> int:
    folder, title = Path(argv[1]), argv[2]
    tempfile.tempdir = str(folder)  # openpyxl's temporary worksheet file goes there too
    from openpyxl import Workbook

    start = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    base = _memory_mb("VmRSS")
    source = sys.stdin.buffer
    rows = 0
    try:
        while size := int.from_bytes(_read(source, 4), "big"):
            for row in pickle.loads(_read(source, size)):
                sheet.append(row)
                rows += 1
    except EOFError:  # the parent gave up or died: nothing to save
        shutil.rmtree(folder, ignore_errors=True)
        return 3
    book.save(folder / BOOK)
    stats = ChildStats(rows=rows - 1, seconds=round(time.perf_counter() - start, 3), base_mb=round(base, 1),
                       peak_mb=round(_memory_mb("VmHWM"), 1))
    (folder / STATS).write_text(json.dumps(stats.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
