"""Excel exports are written by a child process: the event loop answers other requests meanwhile, one
workbook is written at a time (a few more wait, the rest get 503), and no child or file outlives the request,
whether the client leaves, the child fails or the server shuts down (the handler is cancelled)."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import insert

from bot.console import exports, xlsx
from bot.service import Service
from storage.models import Address, Role, User
from tests.console.test_security import session_cookie

LEARNERS = 3000
CHILD = str(Path(xlsx.__file__).resolve())
URL = "/admin/export/learners.xlsx?period=all"


async def seed(service: Service, learners: int = LEARNERS) -> str:
    """``learners`` learners with an address each, and a trainer's session cookie."""
    now = service.clock.now()
    async with service.db.transaction() as session:
        await session.execute(insert(User), [{"name": f"Noy {i}", "country": "LA", "language": "lo",
                                              "onboarded": True, "created_at": now} for i in range(learners)])
        trainer = User(name="Tina", role=Role.TRAINER, onboarded=True, created_at=now)
        session.add(trainer)
        await session.flush()
        await session.execute(insert(Address), [{"user_id": i, "channel": "telegram", "address": f"telegram:{i}"}
                                                for i in range(1, learners + 1)])
    cookie, _ = await session_cookie(service, trainer.id)
    return cookie


class Children:
    """Replaces the child's command: it writes its pid to ``pids``, waits ``delay`` s, then runs the real child."""

    def __init__(self, pids: Path, delay: float) -> None:
        self.pids, self.delay = pids, delay
        self.folders: list[Path] = []
        self.others_alive: list[bool] = []  # when each child started: was an earlier one's folder still there?

    def __call__(self, folder: Path, title: str) -> list[str]:
        self.others_alive.append(any(f.exists() for f in self.folders))
        self.folders.append(folder)
        script = (f"import os, runpy, sys, time; open({str(self.pids)!r}, 'a').write(f'{{os.getpid()}}\\n'); "
                  f"time.sleep({self.delay}); sys.argv = ['xlsx', {str(folder)!r}, {title!r}]; "
                  f"runpy.run_path({CHILD!r}, run_name='__main__')")
        return [sys.executable, "-P", "-c", script]

    def pid_list(self) -> list[int]:
        return [int(line) for line in self.pids.read_text().split()] if self.pids.exists() else []


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[float], Children]:
    def make(delay: float) -> Children:
        made = Children(tmp_path / "pids", delay)
        monkeypatch.setattr(xlsx, "child_command", made)
        return made

    return make


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def get(console: TestClient, url: str, cookie: str) -> tuple[ClientResponse, bytes]:
    response = await console.get(url, headers={"Cookie": cookie})
    return response, await response.read()


def sheet_rows(body: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(body), read_only=True)["learners"].values)


async def test_the_server_answers_while_a_workbook_is_written(console: TestClient, service: Service,
                                                               children: Callable[[float], Children]) -> None:
    cookie = await seed(service)
    made = children(1.5)  # the child takes at least 1.5 s: the requests below arrive while it works
    export = asyncio.create_task(get(console, URL, cookie))
    await until(lambda: bool(made.pid_list()))
    for url in ("/healthz", "/admin/learners"):
        start = time.perf_counter()
        response = await console.get(url, headers={"Cookie": cookie})
        assert response.status == 200 and await response.read()
        assert time.perf_counter() - start < 1.0, url  # loosely: answered at once, not after the workbook
        assert not export.done(), url
    response, body = await export
    assert response.status == 200 and response.headers["Content-Type"] == exports.XLSX
    assert response.content_length == len(body)
    rows = sheet_rows(body)
    assert len(rows) == LEARNERS + 1 and rows[0] == tuple(exports.learner_columns())
    assert rows[1][:4] == (1, "Noy 0", "lo", "LA") and rows[-1][1] == f"Noy {LEARNERS - 1}"
    assert xlsx.last_child is not None and xlsx.last_child.rows == LEARNERS
    assert not made.folders[0].exists()


async def test_one_workbook_at_a_time_a_few_wait_and_more_get_503(
        console: TestClient, service: Service, children: Callable[[float], Children],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "MAX_WAITING", 1)
    cookie = await seed(service, 50)
    made = children(0.5)
    first = asyncio.create_task(get(console, URL, cookie))
    await until(lambda: len(made.folders) == 1)
    second = asyncio.create_task(get(console, URL, cookie))
    await until(lambda: exports.writers().waiting == 1)
    busy, text = await get(console, URL, cookie)
    assert busy.status == 503 and busy.headers["Retry-After"] and b"Excel" in text
    for task in (first, second):
        response, body = await task
        assert response.status == 200 and len(sheet_rows(body)) == 51
    assert made.others_alive == [False, False]  # the second child started once the first was done


async def test_a_client_that_leaves_stops_the_child_and_its_files(console: TestClient, service: Service,
                                                                    children: Callable[[float], Children]) -> None:
    cookie = await seed(service, 50)
    made = children(30)
    export = asyncio.create_task(get(console, URL, cookie))
    await until(lambda: bool(made.pid_list()))
    export.cancel()  # the browser gives up: its connection closes
    pid = made.pid_list()[0]
    await until(lambda: not alive(pid) and not made.folders[0].exists())
    children(0)
    response, body = await get(console, URL, cookie)  # the writer's slot is free again
    assert response.status == 200 and len(sheet_rows(body)) == 51


async def test_control_characters_in_a_name_do_not_break_the_workbook(console: TestClient,
                                                                        service: Service) -> None:
    cookie = await seed(service, 2)
    async with service.db.transaction() as session:
        session.add(User(name="Noy\x07\x1b[31m", onboarded=True, created_at=service.clock.now()))
    response, body = await get(console, URL, cookie)
    assert response.status == 200 and sheet_rows(body)[-1][1] == "Noy[31m"
    csv_body = await (await console.get("/admin/export/learners.csv?period=all", headers={"Cookie": cookie})).text()
    assert "Noy[31m" in csv_body and "\x07" not in csv_body


async def test_a_failing_child_gives_500_and_leaves_nothing(console: TestClient, service: Service,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = await seed(service, 10)
    folders: list[Path] = []

    def failing(folder: Path, title: str) -> list[str]:
        folders.append(folder)
        return [sys.executable, "-c", "import sys; sys.exit('no disk left')"]

    monkeypatch.setattr(xlsx, "child_command", failing)
    response, _ = await get(console, URL, cookie)
    assert response.status == 500 and folders and not folders[0].exists()


async def test_shutdown_cancels_the_writer_and_kills_its_child(children: Callable[[float], Children]) -> None:
    made = children(30)

    async def rows() -> Any:
        yield [[1, "Noy"]]

    with xlsx.export_folder() as folder:
        writing = asyncio.create_task(xlsx.write_book(folder, "learners", ["id", "name"], rows()))
        await until(lambda: bool(made.pid_list()))
        writing.cancel()  # what aiohttp does to a handler still running when the shutdown grace ends
        with pytest.raises(asyncio.CancelledError):
            await writing
        assert not alive(made.pid_list()[0])
    assert not folder.exists()


def test_a_child_whose_parent_died_saves_nothing_and_removes_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    child = subprocess.run([sys.executable, "-P", CHILD, str(folder), "learners"], check=False, timeout=60,
                           input=xlsx._frame([["id"]]) + xlsx._frame([[1], [2]]))  # no final 0: the pipe just ends
    assert child.returncode == 3 and not folder.exists()
