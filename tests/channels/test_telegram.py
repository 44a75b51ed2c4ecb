"""End to end on Telegram: real update JSON into the real aiohttp webhook, replies out through
python-telegram-bot to a local fake Bot API; a restart in the middle; repeated updates."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer

from bot.service import Service
from tests.conftest import FIXTURES, MakeService
from tests.fakes.telegram_api import FakeTelegramAPI

PAYLOADS = FIXTURES / "payloads"
SECRET = "test-secret_123"
CHAT = 996202131  # the chat in the captured payloads
_update_ids = itertools.count(734997200)


def _load(name: str) -> dict[str, Any]:
    return dict(json.loads((PAYLOADS / name).read_text()))


def text_update(text: str, chat: int = CHAT, update_id: int | None = None) -> dict[str, Any]:
    update = copy.deepcopy(_load("telegram_text_update.json"))
    update["update_id"] = update_id or next(_update_ids)
    message = update["message"]
    message["text"] = text
    message["chat"]["id"] = message["from"]["id"] = chat
    message["message_id"] = update["update_id"] % 100000
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    else:
        message.pop("entities", None)
    return update


def button_update(data: str, chat: int = CHAT) -> dict[str, Any]:
    update = copy.deepcopy(_load("telegram_callback_update.json"))
    update["update_id"] = next(_update_ids)
    query = update["callback_query"]
    query["data"] = data
    query["id"] = str(update["update_id"])
    query["from"]["id"] = query["message"]["chat"]["id"] = chat
    return update


def photo_update(chat: int = CHAT) -> dict[str, Any]:
    update = copy.deepcopy(_load("telegram_photo_update.json"))
    update["update_id"] = next(_update_ids)
    update["message"]["chat"]["id"] = update["message"]["from"]["id"] = chat
    return update


async def telegram_service(make_service: MakeService, api: FakeTelegramAPI, **extra: Any) -> Service:
    return await make_service(
        telegram_token=api.token,
        telegram_api_url=api.base_url,
        telegram_file_url=api.file_url,
        telegram_webhook_secret=SECRET,
        telegram_chat_rate=1000.0,
        telegram_chat_burst=1000,
        **extra,
    )


class Webhook:
    def __init__(self, service: Service, client: TestClient) -> None:
        self.service = service
        self.client = client

    async def post(self, update: dict[str, Any] | bytes, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        resp = await self.client.post("/webhooks/telegram", data=body, headers=headers)
        if resp.content_type == "application/json":  # a Bot API call in the answer: Telegram makes it
            call = await resp.json()
            api_url = f"{self.service.settings.telegram_api_url}{self.service.settings.telegram_token}"
            async with ClientSession() as http:
                await http.post(f"{api_url}/{call.pop('method')}", json=call)
        await self.service.outbox.drain()
        return resp.status


async def open_webhook(service: Service) -> Webhook:
    client = TestClient(TestServer(service.web_app()))
    await client.start_server()
    return Webhook(service, client)


def buttons_of(api: FakeTelegramAPI) -> list[str]:
    """callback_data of the inline keyboard on the last message sent."""
    markup = api.sent()[-1].params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_learner_journey_survives_restart_and_repeats(make_service: MakeService, fake_telegram: FakeTelegramAPI):
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    assert any(c.method == "getMe" for c in api.calls)

    assert await hook.post(text_update("/start")) == 200
    assert "choose your language" in api.texts(CHAT)[-1]
    assert "lang:en" in buttons_of(api)  # the hint (language_code "en") comes first
    assert buttons_of(api)[0] == "lang:en"
    await hook.post(button_update("lang:en"))
    await hook.post(text_update("Bijoy <b>&amp;</b>"))
    assert "Thank you, Bijoy &lt;b&gt;&amp;amp;&lt;/b&gt;" in api.texts(CHAT)[-1]  # HTML-escaped
    await hook.post(button_update("onb:craft:wood"))
    await hook.post(button_update("onb:country:KH"))
    await hook.post(button_update("onb:sex:woman"))
    await hook.post(button_update("onb:age:skip"))
    assert "All set" in api.texts(CHAT)[-1]
    assert any(c.method == "answerCallbackQuery" for c in api.calls)  # in the webhook's answer (Webhook.post)

    await hook.post(button_update("course:basics"))
    await hook.post(button_update("lesson:basics"))
    texts = api.texts(CHAT)
    assert "Lesson 1 of 3" in texts[-2] and "What goes into the cost" in texts[-1]
    quiz_buttons = buttons_of(api)
    assert quiz_buttons == ["quiz:basics:q1:0", "quiz:basics:q1:1"]
    await hook.post(button_update("quiz:basics:q1:0"))
    assert api.texts(CHAT)[-1].startswith("✅ Yes: both cost you money.")  # the verdict once (#22 item 9)
    await hook.post(button_update("lesson:basics"))
    assert "Lesson 2 of 3" in api.texts(CHAT)[-1]

    # The service stops (deploy, crash) and a new one starts on the same database.
    await service.stop()
    sent_before = len(api.sent(CHAT))
    service2 = await telegram_service(make_service, api)
    hook2 = await open_webhook(service2)
    await hook2.post(button_update("lesson:basics"))
    assert "Lesson 3 of 3" in api.texts(CHAT)[sent_before]
    await hook2.post(text_update("/progress"))
    assert "Selling basics: Lessons read: 3 of 3 · Quiz questions answered: 1 of 2 (1 right)" in api.texts(CHAT)[-1]

    # Telegram repeats an update (same update_id): handled once, nothing changes.
    repeat = button_update("quiz:basics:q2:1")
    await hook2.post(repeat)
    after_first = len(api.sent(CHAT))
    assert api.texts(CHAT)[-1].startswith("❌ Flash makes hard shadows.")
    assert await hook2.post(repeat) == 200
    assert len(api.sent(CHAT)) == after_first
    await hook2.post(text_update("/progress"))
    assert "Selling basics: completed · Quiz questions answered: 2 of 2 (1 right)" in api.texts(CHAT)[-1]
    await hook.client.close()
    await hook2.client.close()


async def test_a_press_is_answered_in_the_webhooks_answer(make_service: MakeService, fake_telegram: FakeTelegramAPI):
    """The spinner stops through the webhook's answer (one request less per press); a text gets a bare 200."""
    service = await telegram_service(make_service, fake_telegram)
    hook = await open_webhook(service)
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    press = button_update("menu:courses")
    resp = await hook.client.post("/webhooks/telegram", data=json.dumps(press).encode(), headers=headers)
    assert resp.status == 200
    assert await resp.json() == {"method": "answerCallbackQuery", "callback_query_id": press["callback_query"]["id"]}
    resp = await hook.client.post("/webhooks/telegram", data=json.dumps(text_update("/menu")).encode(), headers=headers)
    assert resp.status == 200 and await resp.read() == b""
    await service.outbox.drain()
    assert not any(c.method == "answerCallbackQuery" for c in fake_telegram.calls)  # not asked twice
    await hook.client.close()


async def test_webhook_rejects_bad_secret_and_malformed_bodies(
    make_service: MakeService, fake_telegram: FakeTelegramAPI
):
    service = await telegram_service(make_service, fake_telegram)
    hook = await open_webhook(service)
    assert await hook.post(text_update("/start"), secret=None) == 403
    assert await hook.post(text_update("/start"), secret="wrong") == 403
    assert await hook.post(b"{not json", secret=SECRET) == 400
    assert await hook.post(b"[1, 2, 3]", secret=SECRET) == 400
    assert await hook.post({"update_id": "x"}, secret=SECRET) == 400
    # An update id but a message we cannot use: 200 and dropped (a 4xx makes Telegram send it again and again).
    assert await hook.post({"update_id": 5, "message": {"text": "no chat"}}, secret=SECRET) == 200
    assert fake_telegram.sent() == []
    resp = await hook.client.get("/healthz")
    assert resp.status == 200
    await hook.client.close()


async def test_stickers_photos_and_long_texts(make_service: MakeService, fake_telegram: FakeTelegramAPI):
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    for step in (text_update("/start"), button_update("lang:en"), text_update("Ana"),
                 button_update("onb:craft:ceramics"), button_update("onb:country:LA"),
                 button_update("onb:sex:skip"), button_update("onb:age:skip")):
        await hook.post(step)
    sticker = text_update("x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {"file_id": "CAACAgIAAxkBAAIBY2", "file_unique_id": "AgADSw", "type": "regular",
                                     "width": 512, "height": 512, "is_animated": False, "is_video": False}
    assert await hook.post(sticker) == 200
    assert "sticker" in api.texts(CHAT)[-1].lower()
    assert await hook.post(photo_update()) == 200
    assert "can't use that file" in api.texts(CHAT)[-1]
    assert await hook.post(text_update("y" * 10_000)) == 200
    assert "too long" in api.texts(CHAT)[-1]


async def test_long_reply_is_split_and_429_and_403_are_honoured(make_service: MakeService,
                                                                fake_telegram: FakeTelegramAPI):
    from bot.outbox import enqueue
    from bot.types import Button, Reply, rows
    from storage.models import Outbox

    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    await hook.post(text_update("/start"))
    api.calls.clear()
    long_text = ("ການຕັ້ງລາຄາ ສິນຄ້າ ທີ່ເຮັດດ້ວຍມື. " * 300).strip()
    async with service.db.transaction() as session:
        enqueue(session, None, "telegram", f"telegram:{CHAT}",
                Reply(long_text, rows(Button("OK", "menu:home"))), now=service.clock.now())
    api.fail_next(429, "Too Many Requests: retry after 1", "sendMessage", {"retry_after": 1})
    await service.outbox.drain()
    chunks = api.texts(CHAT)
    assert len(chunks) >= 3 and all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace(" ", "") == long_text.replace(" ", "")
    assert api.sent(CHAT)[-1].params.get("reply_markup") and not api.sent(CHAT)[0].params.get("reply_markup")
    assert service.outbox.stats.rate_limited == 1

    api.blocked_chats.add(str(CHAT))
    async with service.db.transaction() as session:
        enqueue(session, None, "telegram", f"telegram:{CHAT}", Reply("one"), now=service.clock.now())
        enqueue(session, None, "telegram", f"telegram:{CHAT}", Reply("two"), now=service.clock.now())
    await service.outbox.drain()
    async with service.db.read() as session:
        from sqlalchemy import select

        rows_ = (await session.scalars(select(Outbox).order_by(Outbox.id))).all()
    assert [r.status for r in rows_[-2:]] == ["failed", "skipped"]
    from storage.models import Address

    async with service.db.read() as session:
        addr = (await session.scalars(select(Address).where(Address.address == f"telegram:{CHAT}"))).first()
    assert addr is not None and addr.blocked
    # Writing to the bot again means they unblocked it.
    api.blocked_chats.clear()
    await hook.post(text_update("/menu"))
    async with service.db.read() as session:
        addr = (await session.scalars(select(Address).where(Address.address == f"telegram:{CHAT}"))).first()
    assert addr is not None and not addr.blocked
    await hook.client.close()


async def test_crash_between_handling_and_sending_loses_nothing(make_service: MakeService,
                                                                fake_telegram: FakeTelegramAPI):
    """The reply is committed with the state change; a new process sends it."""
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    resp = await hook.client.post("/webhooks/telegram", data=json.dumps(text_update("/start")),
                                  headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert resp.status == 200
    assert api.sent() == []  # handled and committed, not yet sent: now the process dies
    await hook.client.close()
    await service.stop()
    service2 = await telegram_service(make_service, api)
    await service2.outbox.drain()
    assert "choose your language" in api.texts(CHAT)[-1]


async def test_background_worker_sends_after_commit(make_service: MakeService, fake_telegram: FakeTelegramAPI):
    api = fake_telegram
    service = await telegram_service(make_service, api, start_background=True)
    client = TestClient(TestServer(service.web_app()))
    await client.start_server()
    resp = await client.post("/webhooks/telegram", data=json.dumps(text_update("/start")),
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert resp.status == 200
    for _ in range(200):
        if api.sent(CHAT):
            break
        await asyncio.sleep(0.01)
    assert "choose your language" in api.texts(CHAT)[-1]
    await client.close()


@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("telegram_*.json")), ids=lambda p: Path(p).stem)
def test_captured_payloads_parse(path: Path) -> None:
    """A captured update reads the same from the webhook's bytes and from long polling (PTB's Update)."""
    from telegram import Bot, Update

    from bot.channels.telegram_update import from_ptb, parse_update, to_inbound

    inbound = to_inbound(parse_update(path.read_bytes()))
    assert inbound is not None and inbound.address.startswith("telegram:") and inbound.external_id
    polled = Update.de_json(json.loads(path.read_text()), Bot("1:x"))
    assert polled is not None and to_inbound(from_ptb(polled.to_dict())) == inbound


async def test_long_polling_handles_updates_and_confirms_offset(make_service: MakeService,
                                                                fake_telegram: FakeTelegramAPI):
    api = fake_telegram
    service = await telegram_service(make_service, api)
    assert service.telegram is not None
    api.updates = [text_update("/start", update_id=900001), text_update("/help", chat=4242, update_id=900002)]
    stop = asyncio.Event()
    task = asyncio.create_task(service.telegram.poll(stop))
    for _ in range(300):
        await service.outbox.drain()
        if api.sent(CHAT) and api.sent(4242):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 40)
    assert "choose your language" in api.texts(CHAT)[0]
    offsets = [c.params.get("offset") for c in api.calls if c.method == "getUpdates"]
    assert "900003" in [str(o) for o in offsets]
    assert any(c.method == "deleteWebhook" for c in api.calls)
