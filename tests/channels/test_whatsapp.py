"""WhatsApp end to end: signed Twilio webhooks (real shapes from tests/fixtures/payloads) posted to the
real aiohttp app; replies sent by the real ``twilio`` client to a local fake Twilio REST API. The
journey, signatures and malformed webhooks, and the 24-hour window (delivery: test_whatsapp_delivery.py)."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.context import ManualClock
from bot.service import Service
from bot.types import Reply
from storage.models import Address, OutboxStatus, User
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import (
    PUBLIC_URL,
    SENDER,
    WhatsAppUser,
    number_of,
    onboard,
    outbox_rows,
    queue,
    sign,
    status_form,
    twilio_settings,
)

# --- the journey --------------------------------------------------------------------------------


async def test_journey_onboarding_lesson_quiz_by_number_progress(wa_user, wa_service: Service,
                                                                 fake_twilio: FakeTwilioAPI) -> None:
    noy = wa_user()
    text = await noy.say("Sabaidee")
    # The Lao country code puts Lao first; every language is offered as a numbered menu.
    assert text.splitlines()[-1].startswith("_") and "1. ພາສາລາວ" in text
    sent = fake_twilio.to(noy.address)[0]
    assert sent.from_ == SENDER
    assert sent.status_callback == f"{PUBLIC_URL}/webhooks/whatsapp/status"

    text = await noy.say(number_of(text, "English"))
    assert "Privacy" in text and "What is your name?" in text
    text = await noy.say("Noy")
    text = await noy.say(number_of(text, "Weaving and textiles"))
    assert "1. Laos" in text
    text = await noy.say("1")
    assert "optional" in text and number_of(text, "Prefer not to say")
    text = await noy.say(number_of(text, "Woman"))
    text = await noy.say("34")  # an age, typed: its band
    assert "light versions" in text  # WhatsApp only: the data saver is offered
    text = await noy.say(number_of(text, "Full photos"))
    assert "All set, Noy" in text

    text = await noy.say(number_of(text, "Courses"))
    text = await noy.say(number_of(text, "Selling basics"))
    assert "*Selling basics*" in text  # the title in WhatsApp bold
    text = await noy.say("start")  # the button's words choose it too
    assert "Lesson 1 of 3" in text and "What goes into the cost" in text
    text = await noy.say(number_of(text, "Materials and time"))
    assert "Yes: both cost you money." in text
    text = await noy.say("next lessn")  # a close misspelling of "Next lesson"
    assert "Lesson 2 of 3" in text

    text = await noy.say("/progress")
    assert "Selling basics: Lessons read: 2 of 3 · Quiz questions answered: 1 of 2 (1 right)" in text

    async with wa_service.db.read() as session:
        user = (await session.scalars(select(User).join(Address).where(Address.address == noy.address))).one()
        assert (user.language, user.country, user.onboarded) == ("en", "LA", True)
    assert all(len(m.body or "") <= 1600 for m in fake_twilio.messages)
    rows = await outbox_rows(wa_service, noy.address)
    assert rows and all(r.status == OutboxStatus.SENT and r.external_id.startswith("SM") for r in rows)


async def test_retried_webhook_is_handled_once(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service) -> None:
    noy = wa_user()
    form = noy.form("hello")
    first = await noy.post(form)
    second = await noy.post(form)  # Twilio's retry after a timeout: same MessageSid
    assert first.status == second.status == 200
    await wa_service.outbox.drain()
    assert len(noy.new()) == 1


async def test_forged_missing_or_wrong_url_signature_is_refused(wa_user, fake_twilio: FakeTwilioAPI,
                                                                wa_service: Service) -> None:
    noy = wa_user()
    form = noy.form("hello")
    assert (await noy.post(form, signature="0/KCTR6DLpKmkAf8muzZqo1nDgQ=")).status == 403
    assert (await noy.client.post("/webhooks/whatsapp", data=form)).status == 403
    wrong_url = RequestValidator(fake_twilio.auth_token).compute_signature("http://127.0.0.1/webhooks/whatsapp", form)
    assert (await noy.post(form, signature=wrong_url)).status == 403
    wrong_token = RequestValidator("another-token").compute_signature(PUBLIC_URL + "/webhooks/whatsapp", form)
    assert (await noy.post(form, signature=wrong_token)).status == 403
    tampered = dict(form, Body="something else")
    assert (await noy.post(tampered, signature=sign(fake_twilio.auth_token, "/webhooks/whatsapp", form))).status == 403
    # Status callbacks are signed too.
    status = status_form()
    assert (await noy.post(status, path="/webhooks/whatsapp/status", signature="bad")).status == 403
    await wa_service.outbox.drain()
    assert fake_twilio.messages == []


async def test_signed_but_malformed_is_400(wa_user, fake_twilio: FakeTwilioAPI) -> None:
    noy = wa_user()
    no_sender = noy.form("hi")
    del no_sender["From"], no_sender["WaId"]
    assert (await noy.post(no_sender)).status == 400
    no_sid = noy.form("hi")
    for key in ("MessageSid", "SmsMessageSid"):
        del no_sid[key]
    assert (await noy.post(no_sid)).status == 400
    bad_media = noy.form("hi", NumMedia="many")
    assert (await noy.post(bad_media)).status == 400
    sms = noy.form("hi", From="+8562055512345")  # not a WhatsApp address
    assert (await noy.post(sms)).status == 400
    no_status = status_form()
    del no_status["MessageStatus"], no_status["SmsStatus"]
    assert (await noy.post(no_status, path="/webhooks/whatsapp/status")).status == 400


async def test_query_string_is_part_of_the_signed_url(wa_user, fake_twilio: FakeTwilioAPI) -> None:
    noy = wa_user()
    form = noy.form("hello")
    path = "/webhooks/whatsapp?tenant=coop%201"
    resp = await noy.post(form, path=path)
    assert resp.status == 200


# --- 24-hour window -----------------------------------------------------------------------------


async def test_outside_window_without_template_is_held_then_sent_when_user_writes(
        wa_user, wa_service: Service, fake_twilio: FakeTwilioAPI, clock: ManualClock) -> None:
    noy = wa_user()
    await onboard(noy)
    clock.advance(hours=23, minutes=59)
    await queue(wa_service, noy.address, Reply("Inside the window", kind="announcement"))
    await wa_service.outbox.drain()
    assert [m.body for m in noy.new()] == ["Inside the window"]

    clock.advance(minutes=2)  # 24 h and 1 minute after the user's last message
    await queue(wa_service, noy.address, Reply("Workshop on Friday", kind="announcement"))
    await wa_service.outbox.drain()
    assert noy.new() == []  # never free-form outside the window
    held = (await outbox_rows(wa_service, noy.address))[-1]
    assert held.status == OutboxStatus.HELD and "24-hour window" in (held.error or "")

    text = await noy.say("menu")  # writing again opens the window: the held message goes first
    assert text.index("Workshop on Friday") < text.index("What would you like to do?")
    rows = await outbox_rows(wa_service, noy.address)
    assert [r.status for r in rows if r.body["text"] == "Workshop on Friday"] == [OutboxStatus.SENT]


async def test_outside_window_sends_the_configured_template(make_service, fake_twilio: FakeTwilioAPI,
                                                            clock: ManualClock) -> None:
    templates = json.dumps({"announcement": "HX" + "a" * 32})
    service = await make_service(**twilio_settings(fake_twilio, twilio_templates=templates))
    async with TestClient(TestServer(service.web_app())) as client:
        noy = WhatsAppUser(client, service, fake_twilio, "+66811112222")
        await noy.say("hello")
        noy.new()
        clock.advance(days=3)
        await queue(service, noy.address, Reply("Market day:\n  Saturday 9:00", kind="announcement",
                                                template_vars={"2": "Luang Prabang"}))
        await queue(service, noy.address, Reply("Your question was answered", kind="relay"))
        await service.outbox.drain()
        [sent] = noy.new()
        assert sent.body is None and sent.content_sid == "HX" + "a" * 32
        assert json.loads(sent.content_variables or "") == {"1": "Market day: Saturday 9:00", "2": "Luang Prabang"}
        rows = await outbox_rows(service, noy.address)
        assert [r.status for r in rows[-2:]] == [OutboxStatus.SENT, OutboxStatus.HELD]

