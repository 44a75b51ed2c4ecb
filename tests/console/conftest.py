"""Console fixtures: a service whose web app has the console, people with roles, a signed-in client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.console.app import PREFIX, add_console
from bot.service import Service
from storage.models import Role, User
from tests.driver import RecordingSender
from tests.driver import User as ChatUser

LINK = re.compile(r"https?://\S+/admin/login/[\w-]+")


def console_web_app(service: Service) -> web.Application:
    """The service's web app, with the console mounted (added here until bot.service mounts it)."""
    app = service.web_app()
    mounted = any(r.get_info().get("prefix") == PREFIX for r in app.router.resources())
    if not mounted:
        add_console(app, service.db, service.settings, service.clock)
    return app


@pytest.fixture
async def service(make_service: Callable[..., Awaitable[Service]]) -> Service:
    """Served over plain http (the test client's cookies), so the session cookie is not Secure."""
    return await make_service(public_url=None)


@pytest.fixture
async def console(service: Service) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(console_web_app(service))) as client:
        yield client


async def set_role(service: Service, user_id: int, role: str) -> None:
    async with service.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.role = role


async def user_id_of(service: Service, address: str) -> int:
    from storage.users import find_address

    async with service.db.transaction() as session:
        found = await find_address(session, address)
        assert found is not None
        return found.user_id


Person = Callable[..., Awaitable[ChatUser]]


@pytest.fixture
def person(service: Service, recorder: RecordingSender) -> Person:
    """``await person("terminal:tina", Role.TRAINER)`` → an onboarded chat user with that role."""

    async def make(address: str, role: str = Role.LEARNER, name: str = "Tina", country: str = "LA") -> ChatUser:
        user = ChatUser(service, recorder, address)
        await user.onboard(name=name, country=country)
        if role != Role.LEARNER:
            await set_role(service, await user_id_of(service, address), role)
        return user

    return make


async def web_link(user: ChatUser) -> str:
    """Send /web and return the link's path (``/admin/login/<token>``)."""
    replies = await user.say("/web")
    found = LINK.search("\n".join(r.text for r in replies))
    assert found, [r.text for r in replies]
    return "/admin/login/" + found.group(0).rsplit("/", 1)[1]


async def sign_in(client: TestClient, path: str) -> web.StreamResponse:
    """Open a sign-in link and press its button, as a browser does."""
    page = await client.get(path)
    assert page.status == 200
    csrf = re.search(r'name="csrf" value="([^"]+)" id="signin-csrf"', await page.text())
    assert csrf
    return await client.post(path, data={"csrf": csrf.group(1)}, allow_redirects=False)


def now() -> datetime:
    return datetime.now(UTC)
