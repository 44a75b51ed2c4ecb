"""WhatsApp delivery end to end: Twilio's rate limits and errors decide each outbox row's fate, and
status callbacks move rows forward only (also when they arrive before the row knows its message id)."""

from __future__ import annotations

import pytest

from bot.context import ManualClock
from bot.service import Service
from bot.types import Reply
from storage.models import Outbox, OutboxStatus
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import address_row, outbox_rows, post_status, queue

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
