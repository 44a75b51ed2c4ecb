"""Fixtures: a database per test (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set), a
service built from settings, a chat driver, a local fake Telegram Bot API, and WhatsApp through a local
fake Twilio API (``fake_twilio``, ``wa_service``, ``client``, ``wa_user``; the kit is tests/fakes/whatsapp.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.context import ManualClock
from bot.service import Service
from storage.db import Database, normalise_database_url
from tests.driver import RecordingSender, User
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import WhatsAppUser, twilio_settings

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CONTENT = FIXTURES / "content"
BUNDLED_CONTENT = Path(__file__).parent.parent / "content"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    await _reset_postgres(url)
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The database alone, migrated (no service)."""
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, content_dir=TEST_CONTENT, media_dir=tmp_path / "media",
                    public_url="https://bot.example.org")


MakeService = Callable[..., Awaitable[Service]]


@pytest.fixture
async def make_service(settings: Settings, clock: ManualClock) -> AsyncIterator[MakeService]:
    """Build (and later stop) services; keyword arguments override settings."""
    made: list[Service] = []

    async def make(*, start_background: bool = False, service_kwargs: dict[str, Any] | None = None,
                   **overrides: Any) -> Service:
        service = Service(settings.replace(**overrides), clock=clock, **(service_kwargs or {}))
        await service.start(background=start_background)
        made.append(service)
        return service

    yield make
    for service in made:
        try:
            await service.stop()
        except Exception:  # already stopped by the test
            pass


@pytest.fixture
async def service(make_service: MakeService) -> Service:
    return await make_service()


@pytest.fixture
def recorder(service: Service) -> RecordingSender:
    sender = RecordingSender()
    service.outbox.add_sender(sender)
    return sender


@pytest.fixture
def telegram(service: Service) -> RecordingSender:
    """Records what the service sends on the Telegram channel (no Bot API involved)."""
    sender = RecordingSender(channel="telegram")
    service.outbox.add_sender(sender)
    return sender


def content_with_faq(tmp_path: Path, faq_yaml: str) -> Path:
    """A content library of the test courses and one FAQ file with this YAML."""
    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT / "courses", root / "courses")
    (root / "faq").mkdir()
    (root / "faq" / "test.yaml").write_text(faq_yaml, encoding="utf-8")
    return root


@pytest.fixture
def chat_user(service: Service, recorder: RecordingSender) -> Callable[..., User]:
    """``chat_user("terminal:ana")`` → a simulated user talking to the service."""

    def make(address: str = "terminal:ana", language_hint: str | None = None) -> User:
        return User(service, recorder, address, language_hint)

    return make


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramAPI]:
    api = await FakeTelegramAPI().start()
    yield api
    await api.stop()


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilioAPI]:
    api = await FakeTwilioAPI().start()
    yield api
    await api.stop()


@pytest.fixture
async def wa_service(make_service: MakeService, fake_twilio: FakeTwilioAPI) -> Service:
    service = await make_service(**twilio_settings(fake_twilio))
    assert service.whatsapp is not None
    service.whatsapp.sender.backoff_base = 0.01  # fast retries after a 429 in tests
    return service


@pytest.fixture
async def client(wa_service: Service) -> AsyncIterator[TestClient]:
    """A test client of ``wa_service``'s web app."""
    async with TestClient(TestServer(wa_service.web_app())) as test_client:
        yield test_client


@pytest.fixture
def wa_user(client: TestClient, wa_service: Service,
            fake_twilio: FakeTwilioAPI) -> Callable[..., WhatsAppUser]:
    """``wa_user("+8562055512345", "Noy")`` → a person writing to ``wa_service`` on WhatsApp."""

    def make(number: str = "+8562055512345", name: str = "Noy") -> WhatsAppUser:
        return WhatsAppUser(client, wa_service, fake_twilio, number, name)

    return make
