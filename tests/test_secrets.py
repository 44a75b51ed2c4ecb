"""Secrets never reach the log: the server driven through both webhooks with wrong secrets and signatures,
malformed bodies, platform errors (5xx, a 401, the API down) and a handler that raises, and a trainer's
console sign-in (``/web`` over Telegram, the one-time link opened, wrong and used links, the session
cookie), everything logged at DEBUG from every library (the aiohttp access log included); no bot token,
webhook secret, Twilio auth token (nor its basic-auth form), sign-in link token or session cookie appears
in any line or traceback, plain or as ``LOG_FORMAT=json`` writes it."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.console.auth import COOKIE, PRE_COOKIE
from bot.logs import JsonFormatter
from storage.models import Address, Role, User
from tests.channels.test_telegram import SECRET, text_update
from tests.conftest import MakeService
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import inbound_form, sign, twilio_settings


async def test_no_secret_in_any_log_line(make_service: MakeService, fake_telegram: FakeTelegramAPI,
                                         fake_twilio: FakeTwilioAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tg, tw = fake_telegram, fake_twilio
    service = await make_service(telegram_token=tg.token, telegram_api_url=tg.base_url,
                                 telegram_file_url=tg.file_url, telegram_webhook_secret=SECRET,
                                 **twilio_settings(tw))
    assert service.whatsapp is not None
    service.whatsapp.sender.backoff_base = 0.01
    async with TestClient(TestServer(service.web_app())) as client:
        async def telegram(body: bytes, secret: str) -> int:
            resp = await client.post("/webhooks/telegram", data=body,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": secret})
            await service.outbox.drain()
            return resp.status

        async def whatsapp(form: dict[str, str], signature: str | None = None) -> int:
            resp = await client.post("/webhooks/whatsapp", data=form, headers={
                "X-Twilio-Signature": signature or sign(tw.auth_token, "/webhooks/whatsapp", form)})
            await service.outbox.drain()
            return resp.status

        assert await telegram(json.dumps(text_update("/start", chat=5150)).encode(), SECRET + "x") == 403
        assert await telegram(json.dumps(text_update("/start", chat=5150)).encode(), "") == 403
        assert await telegram(b"{not json", SECRET) == 400
        tg.fail_next(500, "Internal Server Error")
        tg.fail_next(401, "Unauthorized")
        assert await telegram(json.dumps(text_update("/start", chat=5150)).encode(), SECRET) == 200
        await tg.stop()  # the Bot API is down: connection errors while sending
        assert await telegram(json.dumps(text_update("/help", chat=5150)).encode(), SECRET) == 200
        await tg.start()

        form = inbound_form(MessageSid="SMsecret1")
        assert await whatsapp(form, "forged") == 403
        assert await whatsapp({**form, "NumMedia": "x"}) == 400
        tw.fail_next(500, 20500, "Internal")
        tw.fail_next(401, 20003, "Authenticate")
        assert await whatsapp(form) == 200
        await service.outbox.drain()

    secrets = {
        "bot token": tg.token, "bot token secret part": tg.token.split(":", 1)[1], "webhook secret": SECRET,
        "Twilio auth token": tw.auth_token,
        "Twilio basic auth": base64.b64encode(f"{tw.account_sid}:{tw.auth_token}".encode()).decode(),
    }
    assert_not_logged(caplog.records, secrets)


def log_lines(records: list[logging.LogRecord]) -> list[str]:
    """Every record as the plain format and as ``LOG_FORMAT=json`` write it (tracebacks included)."""
    plain = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s")
    json_lines = JsonFormatter()
    return [formatter.format(record) for record in records for formatter in (plain, json_lines)]


def assert_not_logged(records: list[logging.LogRecord], secrets: dict[str, str]) -> None:
    lines = log_lines(records)
    assert len(lines) > 10  # the log did record the errors
    for name, value in secrets.items():
        assert value
        leaked = [line for line in lines if value in line]
        assert not leaked, f"{name} in the log: {leaked[0][:300]}"


async def test_console_sign_in_leaves_no_link_token_or_cookie_in_the_log(
        make_service: MakeService, fake_telegram: FakeTelegramAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tg = fake_telegram
    service = await make_service(telegram_token=tg.token, telegram_api_url=tg.base_url,
                                 telegram_file_url=tg.file_url, telegram_webhook_secret=SECRET, public_url=None)
    async with service.db.transaction() as session:
        trainer = User(name="Tina", language="en", country="LA", onboarded=True, role=Role.TRAINER, step_data={},
                       menu=[], profile={})
        session.add(trainer)
        await session.flush()
        session.add(Address(user_id=trainer.id, channel="telegram", address="telegram:5151"))
    # TestServer keeps aiohttp's access log (the served app has none): it logs every request line.
    async with TestClient(TestServer(service.web_app())) as client:
        async def web_link() -> str:
            resp = await client.post("/webhooks/telegram", data=json.dumps(text_update("/web", chat=5151)).encode(),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert resp.status == 200
            await service.outbox.drain()
            found = re.search(r"/admin/login/([\w-]+)", tg.texts(5151)[-1])
            assert found, tg.texts(5151)
            return found.group(1)

        token = await web_link()
        page = await client.get(f"/admin/login/{token}")
        assert page.status == 200
        pre = client.session.cookie_jar.filter_cookies(client.make_url("/admin"))[PRE_COOKIE].value
        csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        assert csrf
        signed_in = await client.post(f"/admin/login/{token}", data={"csrf": csrf.group(1)}, allow_redirects=False)
        assert signed_in.status == 303
        cookie = signed_in.cookies[COOKIE].value
        assert (await client.get("/admin")).status == 200  # the session works
        again = await client.post(f"/admin/login/{token}", data={"csrf": csrf.group(1)}, allow_redirects=False)
        assert again.status == 403  # a used link
        assert (await client.get("/admin/login/not-a-real-token-0123456789")).status == 200  # asks to confirm
        second = await web_link()
        assert (await client.get(f"/admin/login/{second}?from=chat")).status == 200  # opened, never used
        client.session.cookie_jar.clear()
        forged = await client.get("/admin", headers={"Cookie": f"{COOKIE}=forged-session-cookie-value-0123"},
                                  allow_redirects=False)
        assert forged.status in (302, 303, 401, 403)

    access = [r for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/admin/login/" in r.getMessage() for r in access)  # the access log did see the paths
    assert_not_logged(caplog.records, {
        "bot token": tg.token, "webhook secret": SECRET, "sign-in link token": token, "second link token": second,
        "session cookie": cookie, "sign-in form cookie": pre, "forged cookie": "forged-session-cookie-value-0123",
    })
