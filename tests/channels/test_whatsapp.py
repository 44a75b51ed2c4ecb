"""WhatsApp end to end: signed Twilio webhooks (real shapes from tests/fixtures/payloads) posted to the
real aiohttp app; replies sent by the real ``twilio`` client to a local fake Twilio REST API."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.context import ManualClock
from bot.outbox.worker import enqueue
from bot.service import Service
from bot.types import Reply
from storage.models import Address, Outbox, OutboxStatus, User
from tests.fakes.twilio_api import FakeTwilioAPI, SentMessage

PAYLOADS = Path(__file__).parents[1] / "fixtures" / "payloads"
PUBLIC_URL = "https://bot.example.org"
SENDER = "whatsapp:+14155238886"
_sids = itertools.count(1)


def inbound_form(**overrides: str) -> dict[str, str]:
    """Twilio's real inbound webhook (fixture), with fields replaced."""
    form = dict(parse_qsl((PAYLOADS / "twilio_whatsapp_inbound.form").read_text().strip(), keep_blank_values=True))
    form.update(overrides)
    return form


def status_form(**overrides: str) -> dict[str, str]:
    form = dict(parse_qsl((PAYLOADS / "twilio_whatsapp_status.form").read_text().strip(), keep_blank_values=True))
    form.update(overrides)
    return form


def sign(token: str, path: str, form: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, form)


class WhatsAppUser:
    """One person writing to the bot on WhatsApp through Twilio's webhook."""

    def __init__(self, client: TestClient, service: Service, api: FakeTwilioAPI, number: str,
                 name: str = "Noy") -> None:
        self.client = client
        self.service = service
        self.api = api
        self.address = f"whatsapp:{number}"
        self.name = name
        self.seen = 0

    async def post(self, form: dict[str, str], path: str = "/webhooks/whatsapp", signature: str | None = None):
        sig = sign(self.api.auth_token, path, form) if signature is None else signature
        return await self.client.post(path, data=form, headers={"X-Twilio-Signature": sig})

    def form(self, body: str = "", **extra: str) -> dict[str, str]:
        sid = f"SM{next(_sids):032x}"
        fields = dict(From=self.address, WaId=self.address.removeprefix("whatsapp:+"), Body=body,
                      ProfileName=self.name, MessageSid=sid, SmsMessageSid=sid, SmsSid=sid)
        return inbound_form(**{**fields, **extra})

    async def say(self, body: str = "", **extra: str) -> str:
        resp = await self.post(self.form(body, **extra))
        assert resp.status == 200, await resp.text()
        assert resp.content_type == "text/xml"
        assert "<Response/>" in await resp.text()
        await self.service.outbox.drain()
        return self.text()

    def new(self) -> list[SentMessage]:
        mine = self.api.to(self.address)
        fresh, self.seen = mine[self.seen:], len(mine)
        return fresh

    def text(self) -> str:
        return "\n".join(m.body or "" for m in self.new())


def number_of(text: str, label: str) -> str:
    """The menu number in front of a label: "2. English" → "2"."""
    match = re.search(rf"^(\d+)\. {re.escape(label)}", text, re.MULTILINE)
    assert match, f"no {label!r} in menu:\n{text}"
    return match.group(1)


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilioAPI]:
    api = await FakeTwilioAPI().start()
    yield api
    await api.stop()


def twilio_settings(api: FakeTwilioAPI, **extra: object) -> dict[str, object]:
    return dict(twilio_account_sid=api.account_sid, twilio_auth_token=api.auth_token, twilio_whatsapp_from=SENDER,
                twilio_api_url=api.url, public_url=PUBLIC_URL, **extra)


@pytest.fixture
async def wa_service(make_service, fake_twilio: FakeTwilioAPI) -> Service:
    service = await make_service(**twilio_settings(fake_twilio))
    service.whatsapp.sender.backoff_base = 0.01  # fast retries after a 429 in tests
    return service


@pytest.fixture
async def client(wa_service: Service) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(wa_service.web_app())) as test_client:
        yield test_client


@pytest.fixture
def wa_user(client: TestClient, wa_service: Service, fake_twilio: FakeTwilioAPI):
    def make(number: str = "+8562055512345", name: str = "Noy") -> WhatsAppUser:
        return WhatsAppUser(client, wa_service, fake_twilio, number, name)

    return make


async def onboard(user: WhatsAppUser) -> None:
    text = await user.say("Sabaidee")
    text = await user.say(number_of(text, "English"))
    assert "What is your name?" in text
    text = await user.say(user.name)
    text = await user.say(number_of(text, "Weaving and textiles"))
    assert "1. Laos" in text  # the phone's country code put Laos first
    text = await user.say("1")
    assert f"All set, {user.name}" in text


async def outbox_rows(service: Service, address: str) -> list[Outbox]:
    async with service.db.read() as session:
        return list((await session.scalars(select(Outbox).where(Outbox.address == address).order_by(Outbox.id))).all())


async def address_row(service: Service, address: str) -> Address:
    async with service.db.read() as session:
        row = (await session.scalars(select(Address).where(Address.address == address))).one()
        return row


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
    assert "Selling basics: 2 of 3 lessons" in text and "quiz 1/2" in text

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


async def queue(service: Service, address: str, reply: Reply) -> None:
    async with service.db.transaction() as session:
        row = await session.scalar(select(Address).where(Address.address == address))
        enqueue(session, row.user_id if row else None, "whatsapp", address, reply, now=service.clock.now())


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


# --- rate limits and errors ---------------------------------------------------------------------


async def test_429_is_retried_and_delivered_once(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service) -> None:
    noy = wa_user()
    await noy.say("hello")
    noy.new()
    fake_twilio.fail_next(429, 20429, "Too Many Requests")
    fake_twilio.fail_next(429, 20429, "Too Many Requests")
    before = fake_twilio.requests
    await queue(wa_service, noy.address, Reply("One message"))
    await wa_service.outbox.drain()
    assert [m.body for m in noy.new()] == ["One message"]
    assert fake_twilio.requests - before == 3
    assert wa_service.outbox.stats.rate_limited >= 2
    row = (await outbox_rows(wa_service, noy.address))[-1]
    assert row.status == OutboxStatus.SENT and row.external_id


async def test_429_in_the_middle_of_a_long_reply_repeats_no_part(wa_user, fake_twilio: FakeTwilioAPI,
                                                                 wa_service: Service) -> None:
    noy = wa_user()
    await noy.say("hello")
    noy.new()
    long_text = "\n\n".join(f"Paragraph {i}: " + "silk " * 60 for i in range(12))  # ~3700 characters
    await queue(wa_service, noy.address, Reply(long_text))
    original = fake_twilio._create

    calls = 0

    async def second_fails(request):  # the second part meets a 429 once
        nonlocal calls
        calls += 1
        if calls == 2:
            fake_twilio.fail_next(429, 20429, "Too Many Requests")
        return await original(request)

    fake_twilio._create = second_fails  # type: ignore[method-assign]
    try:
        await wa_service.outbox.drain()
    finally:
        fake_twilio._create = original  # type: ignore[method-assign]
    bodies = [m.body or "" for m in noy.new()]
    assert len(bodies) == 3 and all(len(b) <= 1600 for b in bodies)
    assert " ".join(" ".join(bodies).split()) == " ".join(long_text.split())


@pytest.mark.parametrize(("status", "code", "outcome"), [
    (400, 21610, OutboxStatus.FAILED),  # opted out at Twilio: the address is blocked
    (400, 21211, OutboxStatus.FAILED),  # invalid number: permanent
    (400, 63016, OutboxStatus.HELD),
])
async def test_twilio_errors_decide_the_rows_fate(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service,
                                                  status: int, code: int, outcome: str) -> None:
    noy = wa_user()
    await noy.say("hello")
    noy.new()
    fake_twilio.fail_next(status, code, "refused")
    await queue(wa_service, noy.address, Reply("Hello"))
    await wa_service.outbox.drain()
    row = (await outbox_rows(wa_service, noy.address))[-1]
    assert row.status == outcome and str(code) in (row.error or "")
    assert (await address_row(wa_service, noy.address)).blocked is (code == 21610)


async def test_server_error_is_retried_with_backoff(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service,
                                                   clock: ManualClock) -> None:
    noy = wa_user()
    await noy.say("hello")
    noy.new()
    fake_twilio.fail_next(503, 20500, "Service unavailable")
    await queue(wa_service, noy.address, Reply("Later"))
    await wa_service.outbox.drain()
    row = (await outbox_rows(wa_service, noy.address))[-1]
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and "503" in (row.error or "")
    clock.advance(seconds=5)
    await wa_service.outbox.drain()
    assert [m.body for m in noy.new()] == ["Later"]


# --- delivery status ----------------------------------------------------------------------------


async def post_status(user: WhatsAppUser, sid: str, status: str, code: str | None = None) -> int:
    form = status_form(MessageSid=sid, SmsSid=sid, MessageStatus=status, SmsStatus=status, To=user.address,
                       AccountSid=user.api.account_sid)
    if code:
        form["ErrorCode"] = code
    resp = await user.post(form, path="/webhooks/whatsapp/status")
    return resp.status


async def test_status_callbacks_move_forward_only(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service) -> None:
    noy = wa_user()
    await noy.say("hello")
    [row] = await outbox_rows(wa_service, noy.address)
    assert row.status == OutboxStatus.SENT
    for status, expected in [("delivered", "delivered"), ("read", "read"), ("sent", "read"),
                             ("delivered", "read"), ("failed", "read")]:
        assert await post_status(noy, row.external_id, status) == 204
        [row] = await outbox_rows(wa_service, noy.address)
        assert row.status == expected
    # An unknown message id or an unknown status is accepted and ignored.
    assert await post_status(noy, "SM" + "f" * 32, "delivered") == 204
    assert await post_status(noy, row.external_id, "partially_delivered") == 204


async def test_failed_statuses_record_the_error(wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service) -> None:
    noy, ana = wa_user(), wa_user("+85512345678", "Ana")
    await noy.say("hello")
    await ana.say("hello")
    [noy_row] = await outbox_rows(wa_service, noy.address)
    [ana_row] = await outbox_rows(wa_service, ana.address)
    assert await post_status(noy, noy_row.external_id, "undelivered", "63016") == 204
    assert await post_status(ana, ana_row.external_id, "failed", "21610") == 204
    [noy_row] = await outbox_rows(wa_service, noy.address)
    [ana_row] = await outbox_rows(wa_service, ana.address)
    assert noy_row.status == OutboxStatus.HELD and "63016" in noy_row.error
    assert ana_row.status == OutboxStatus.FAILED and "21610" in ana_row.error
    assert (await address_row(wa_service, ana.address)).blocked is True
    assert (await address_row(wa_service, noy.address)).blocked is False


async def test_status_arriving_before_the_outbox_knows_the_id_is_applied_later(
        wa_user, fake_twilio: FakeTwilioAPI, wa_service: Service) -> None:
    noy = wa_user()
    await noy.say("hello")
    [row] = await outbox_rows(wa_service, noy.address)
    # Simulate the race: the row has no id yet when Twilio reports on it.
    sid = row.external_id
    async with wa_service.db.transaction() as session:
        (await session.get(Outbox, row.id)).external_id = None
    assert await post_status(noy, sid, "delivered") == 204
    assert await post_status(noy, sid, "sent") == 204  # out of order: kept at delivered
    async with wa_service.db.transaction() as session:
        (await session.get(Outbox, row.id)).external_id = sid
    assert await wa_service.whatsapp.reconcile() == 1
    [row] = await outbox_rows(wa_service, noy.address)
    assert row.status == OutboxStatus.DELIVERED
    assert await wa_service.whatsapp.reconcile() == 0
