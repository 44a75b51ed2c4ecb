"""Signing in to the console: /web in chat, the one-time link (expired, reused, forged refused), the
session cookie, log-out, the CLI, and the polite no for learners."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.context import ManualClock
from bot.service import Service
from handlers.console import login_link
from storage.models import Role
from tests.console.conftest import Person, set_role, sign_in, user_id_of, web_link
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser


async def test_trainer_gets_a_link_that_signs_in_once(console: TestClient, person: Person) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    path = await web_link(trainer)
    response = await sign_in(console, path)
    assert response.status == 303 and response.headers["Location"] == "/admin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # served over http here; see test_cookie_is_secure_behind_https
    dashboard = await console.get("/admin", allow_redirects=False)
    assert dashboard.status == 200 and "Tina" not in (await dashboard.text())[:0]
    again = await sign_in(console, path)  # the same link a second time
    assert again.status == 403 and "already used" in await again.text()


async def test_expired_link_is_refused(console: TestClient, person: Person, clock: ManualClock) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    path = await web_link(trainer)
    clock.advance(minutes=16)
    response = await sign_in(console, path)
    assert response.status == 403
    assert "expired" in await response.text()
    assert (await console.get("/admin", allow_redirects=False)).status == 303


async def test_forged_link_is_refused(console: TestClient, person: Person) -> None:
    await person("terminal:tina", Role.TRAINER)
    response = await sign_in(console, "/admin/login/" + "A" * 43)
    assert response.status == 403
    assert "cannot be used" in await response.text()


async def test_sign_in_post_without_the_form_token_is_403(console: TestClient, person: Person) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    path = await web_link(trainer)
    assert (await console.post(path, data={}, allow_redirects=False)).status == 403
    assert (await sign_in(console, path)).status == 303  # not used up by the refused attempt


async def test_learner_gets_a_polite_no_and_no_link(person: Person) -> None:
    learner = await person("terminal:lea", Role.LEARNER, name="Lea")
    text = text_of(await learner.say("/web"))
    assert "only for trainers" in text and "/admin/login/" not in text


async def test_log_out_ends_the_session(console: TestClient, person: Person) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    await sign_in(console, await web_link(trainer))
    page = await (await console.get("/admin")).text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    response = await console.post("/admin/logout", data={"csrf": csrf.group(1)}, allow_redirects=False)
    assert response.status == 200 and "signed out" in await response.text()
    assert (await console.get("/admin", allow_redirects=False)).status == 303


async def test_idle_session_expires(console: TestClient, person: Person, clock: ManualClock) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    await sign_in(console, await web_link(trainer))
    clock.advance(hours=1, minutes=50)
    assert (await console.get("/admin", allow_redirects=False)).status == 200
    clock.advance(hours=2, minutes=1)
    response = await console.get("/admin", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/signin"


async def test_session_of_someone_demoted_to_learner_shows_nothing(console: TestClient, person: Person,
                                                                   service: Service) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    await sign_in(console, await web_link(trainer))
    await set_role(service, await user_id_of(service, "terminal:tina"), Role.LEARNER)
    response = await console.get("/admin/learners", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/signin"


async def test_cli_link_for_trainer_and_clear_no_for_learner(service: Service, person: Person) -> None:
    await person("terminal:tina", Role.TRAINER)
    await person("terminal:lea", Role.LEARNER, name="Lea")
    link, why = await login_link(service.settings, "terminal", "tina", service.clock.now())
    assert link and link.startswith("http://127.0.0.1:8080/admin/login/") and why == ""
    link, why = await login_link(service.settings, "terminal", "lea", service.clock.now())
    assert link is None and "not a trainer or admin" in why
    link, why = await login_link(service.settings, "terminal", "nobody", service.clock.now())
    assert link is None and "nobody has written" in why


async def test_cookie_is_secure_behind_https(make_service: Callable[..., Awaitable[Service]]) -> None:
    from tests.console.conftest import console_web_app

    https = await make_service(public_url="https://bot.example.org")
    sender = RecordingSender()
    https.outbox.add_sender(sender)
    trainer = ChatUser(https, sender, "terminal:tess")
    await trainer.onboard(name="Tess")
    await set_role(https, await user_id_of(https, "terminal:tess"), Role.TRAINER)
    path = await web_link(trainer)
    assert "https://bot.example.org/admin/login/" in text_of(trainer.last)
    async with TestClient(TestServer(console_web_app(https))) as client:
        page = await client.get(path)
        assert "Secure" in page.headers["Set-Cookie"]


def test_cli_web_login_exits_non_zero_with_a_clear_message(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from bot.config import Settings
    from handlers import console as console_feature
    from handlers.announcements import add_commands as admin_commands

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    admin_commands(sub)
    console_feature.add_commands(sub)  # joins the existing "admin" commands
    args = parser.parse_args(["admin", "web-login", "terminal", "lea"])
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    assert args.func(args, settings) == 1
    assert "no link: nobody has written from terminal:lea" in capsys.readouterr().err
    grant = parser.parse_args(["admin", "grant", "learner", "terminal", "lea"])
    assert grant.func(grant, settings) == 0
    assert args.func(args, settings) == 1
    assert "is a learner, not a trainer or admin" in capsys.readouterr().err
    grant = parser.parse_args(["admin", "grant", "trainer", "terminal", "lea"])
    assert grant.func(grant, settings) == 0
    capsys.readouterr()
    assert args.func(args, settings) == 0
    assert "http://127.0.0.1:8080/admin/login/" in capsys.readouterr().out
