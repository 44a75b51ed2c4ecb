"""A course taken by chat ends in a certificate: on Telegram it comes with sendPhoto, on WhatsApp as a media
URL of our media store; ``/certificates`` lists them and sends any again; the verify link works."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.certificates.web import routes
from bot.service import Service
from bot.web import build_app
from storage.certificates import Certificate, certificates_of
from tests.channels.test_telegram import CHAT, button_update, open_webhook, telegram_service, text_update
from tests.conftest import MakeService
from tests.driver import text_of
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.whatsapp import WhatsAppUser, number_of, onboard

COURSE_BY_BUTTONS = ["lesson:basics", "quiz:basics:q1:0", "lesson:basics", "lesson:basics", "quiz:basics:q2:0",
                     "lesson:basics"]


async def certificates(service: Service, user_id: int | None = None) -> list[Certificate]:
    async with service.db.transaction() as session:
        if user_id is not None:
            return await certificates_of(session, user_id)
        from sqlalchemy import select

        return list((await session.scalars(select(Certificate))).all())


async def test_finishing_a_course_brings_a_certificate_and_certificates_lists_it(chat_user: Any,
                                                                                 service: Service) -> None:
    ana = chat_user()
    await ana.onboard(name="ສົມພອນ", language="lo")
    for payload in COURSE_BY_BUTTONS[:-1]:
        await ana.send(payload=payload)
    replies = await ana.send(payload="lesson:basics")  # "Finish"
    assert len(replies) == 1 and replies[0].photo is not None and replies[0].photo.key
    [record] = await certificates(service)
    assert record.name == "ສົມພອນ" and record.course_title == "ພື້ນຖານການຂາຍ" and record.language == "lo"
    assert record.issuer == "SMCE Skills Programme"
    assert f"https://bot.example.org/verify/{record.code}" in replies[0].text
    path = service.media.path(replies[0].photo.key)
    assert path is not None and path.stat().st_size < 200 * 1024
    assert Image.open(io.BytesIO(path.read_bytes())).size == (1600, 1130)

    again = await ana.send(payload="lesson:basics")  # pressing Finish again: the same certificate
    assert again[0].photo is not None and again[0].photo.key == replies[0].photo.key
    assert len(await certificates(service)) == 1

    listing = await ana.say("/certificates")
    assert record.code[:5] in text_of(listing) and "ພື້ນຖານການຂາຍ" in text_of(listing)
    path.unlink()  # the media folder was cleaned: drawn again from the record
    sent = await ana.press("ພື້ນຖານການຂາຍ")
    assert sent[0].photo is not None and service.media.path(sent[0].photo.key or "") is not None

    async with TestClient(TestServer(build_app(service.media, routes(service.db)))) as client:
        resp = await client.get(f"/verify/{record.code}")
        assert resp.status == 200 and "ສົມພອນ" in await resp.text()


async def test_no_certificate_yet_and_not_someone_elses(chat_user: Any, service: Service) -> None:
    ana, ben = chat_user("terminal:ana"), chat_user("terminal:ben")
    await ana.onboard(name="Ana")
    await ben.onboard(name="Ben")
    assert "no certificates yet" in text_of(await ana.say("/certificates"))
    for payload in COURSE_BY_BUTTONS:
        await ana.send(payload=payload)
    [record] = await certificates(service)
    replies = await ben.send(payload=f"cert:{record.id}")
    assert "not available" in text_of(replies) and all(r.photo is None for r in replies)


async def test_on_telegram_the_certificate_comes_with_send_photo(make_service: MakeService,
                                                                 fake_telegram: FakeTelegramAPI) -> None:
    api = fake_telegram
    service = await telegram_service(make_service, api)
    hook = await open_webhook(service)
    for step in (text_update("/start"), button_update("lang:en"), text_update("Nguyễn Thị Hương"),
                 button_update("onb:craft:weaving"), button_update("onb:country:VN"),
                 button_update("onb:sex:skip"), button_update("onb:age:skip")):
        await hook.post(step)
    for payload in COURSE_BY_BUTTONS:
        assert await hook.post(button_update(payload)) == 200
    photos = [c for c in api.sent(CHAT) if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert "You finished" in str(photos[0].params.get("caption"))
    assert "/verify/" in str(photos[0].params.get("caption"))
    [record] = await certificates(service)
    assert record.name == "Nguyễn Thị Hương"
    await hook.client.close()


async def test_on_whatsapp_the_certificate_is_a_media_url(wa_user: Any, wa_service: Service) -> None:
    noy: WhatsAppUser = wa_user("+8562055512345", "Noy")
    await onboard(noy)
    text = await noy.say(number_of(await noy.say("menu"), "Courses"))
    text = await noy.say(number_of(text, "Selling basics"))
    text = await noy.say(number_of(text, "Start"))
    text = await noy.say(number_of(text, "Materials and time"))
    text = await noy.say(number_of(text, "Next lesson"))
    text = await noy.say(number_of(text, "Next lesson"))
    text = await noy.say(number_of(text, "Daylight"))
    await noy.say(number_of(text, "Finish"))
    sent = noy.api.to(noy.address)
    with_media = [m for m in sent if m.media_url]
    assert with_media, [m.body for m in sent[-3:]]
    [record] = await certificates(wa_service)
    url = with_media[-1].media_url[0]
    assert url.startswith("https://bot.example.org/media/") and url.endswith(".png")
    assert url.rsplit("/", 1)[1] == record.media_key
