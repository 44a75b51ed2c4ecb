"""The data saver through both channels' fakes: the light copy goes out, the size is stated, the full photo
comes on request (the button on Telegram, /photo on WhatsApp); the setting from onboarding, menu, profile."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.light import LIGHT_BYTES
from bot.service import Service
from bot.types import Media, Reply
from storage.models import Address
from tests.channels.test_telegram import CHAT, button_update, open_webhook, telegram_service, text_update
from tests.conftest import MakeService
from tests.driver import user_at
from tests.fakes.photos import photo
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.whatsapp import WhatsAppUser, number_of


async def queue_photo(service: Service, address: str, data: bytes, text: str = "Silk scarf") -> None:
    """A reply with a photo we hold, as a listing or an announcement writes it."""
    from bot.outbox.queue import enqueue

    key = service.media.save(data)
    async with service.db.transaction() as session:
        row = await session.scalar(select(Address).where(Address.address == address))
        assert row is not None
        enqueue(session, row.user_id, address.split(":", 1)[0], address, Reply(text, photo=Media("photo", key=key)),
                now=service.clock.now())
    await service.outbox.drain()


async def test_telegram_light_photo_then_the_full_one_by_button(make_service: MakeService,
                                                                fake_telegram: FakeTelegramAPI) -> None:
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    for step in (text_update("/start"), button_update("lang:en"), text_update("Bijoy"),
                 button_update("onb:craft:wood"), button_update("onb:country:KH"), button_update("onb:sex:skip"),
                 button_update("onb:age:skip")):
        await hook.post(step)
    assert "All set" in api.texts(CHAT)[-1]  # no data saver question on Telegram
    await hook.post(text_update("/menu"))
    await hook.post(button_update("saver:show"))
    assert "Data saver: off" in api.texts(CHAT)[-1]
    await hook.post(button_update("saver:set:on"))
    assert "Saved.\nData saver: on" in api.texts(CHAT)[-1]
    assert (await user_at(service, f"telegram:{CHAT}")).data_saver

    data = photo()
    await queue_photo(service, f"telegram:{CHAT}", data)
    sent = api.sent(CHAT)[-1]
    assert sent.method == "sendPhoto" and isinstance(sent.params["photo"], bytes | bytearray)
    assert len(sent.params["photo"]) <= LIGHT_BYTES  # the light file was uploaded
    caption = str(sent.params["caption"])
    assert caption.startswith("Silk scarf") and f"Full photo: {round(len(data) / 1024)} KB" in caption
    [full] = [b["callback_data"] for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
    assert full.startswith("photo:full:")

    await hook.post(button_update(full))
    again = api.sent(CHAT)[-1]
    assert again.method == "sendPhoto" and bytes(again.params["photo"]) == data  # the original, on request
    assert str(again.params["caption"]) == f"Photo: {round(len(data) / 1024)} KB"
    await hook.post(button_update("photo:full:999999"))  # not a row of this chat: nothing leaks
    assert "no photo to show" in api.texts(CHAT)[-1]
    await hook.client.close()


async def test_telegram_without_data_saver_states_the_size(make_service: MakeService,
                                                           fake_telegram: FakeTelegramAPI) -> None:
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    await hook.post(text_update("/start"))
    data = photo()
    await queue_photo(service, f"telegram:{CHAT}", data, text="Lesson 1 of 3")
    sent = api.sent(CHAT)[-1]
    assert bytes(sent.params["photo"]) == data and "reply_markup" not in sent.params
    assert str(sent.params["caption"]) == f"Lesson 1 of 3\n\nPhoto: {round(len(data) / 1024)} KB"
    await hook.client.close()


async def test_whatsapp_offers_it_at_onboarding_and_serves_the_light_file(wa_user: Any, wa_service: Service,
                                                                          client: TestClient) -> None:
    noy: WhatsAppUser = wa_user("+8562055512345", "Noy")
    text = await noy.say("Sabaidee")
    for label in ("English",):
        text = await noy.say(number_of(text, label))
    text = await noy.say("Noy")
    text = await noy.say(number_of(text, "Weaving and textiles"))
    text = await noy.say("1")
    text = await noy.say(number_of(text, "Skip"))
    text = await noy.say(number_of(text, "Skip"))
    assert "Data can be costly" in text and "under 30 KB" in text
    text = await noy.say("maybe")  # none of the choices: asked again
    assert "not one of the choices" in text
    text = await noy.say(number_of(text, "Save data: light photos"))
    assert "All set, Noy" in text

    data = photo()
    await queue_photo(wa_service, noy.address, data)
    [message] = noy.new()
    assert "send /photo to see it" in (message.body or "")
    [url] = message.media_url
    resp = await client.get(url[url.index("/media/"):])
    light = await resp.read()
    assert resp.status == 200 and resp.content_type == "image/jpeg" and len(light) <= LIGHT_BYTES

    await noy.say("/photo")
    full = noy.api.to(noy.address)[-1]
    [url] = full.media_url
    resp = await client.get(url[url.index("/media/"):])
    assert await resp.read() == data and (full.body or "").startswith("Photo: ")

    text = await noy.say("/profile")
    assert "Data saver: on" in text
    text = await noy.say(number_of(text, "Data saver"))
    text = await noy.say(number_of(text, "Turn the data saver off"))
    assert "Data saver: off" in text
    assert not (await user_at(wa_service, noy.address)).data_saver
