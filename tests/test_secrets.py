"""Secrets never reach the log: the server driven through both webhooks with wrong secrets and signatures,
malformed bodies, platform errors (5xx, a 401, the API down) and a handler that raises, everything logged
at DEBUG from every library; no bot token, webhook secret, Twilio auth token (nor its basic-auth form)
appears in any line or traceback."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

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
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 10  # the log did record the errors
    for name, value in secrets.items():
        leaked = [line for line in lines if value in line]
        assert not leaked, f"{name} in the log: {leaked[0][:300]}"
