"""Scheduling announcements with a manual clock (and cancelling them), reading typed times, and restarts in
the middle of a broadcast."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.context import ManualClock
from bot.jobs import JobContext
from bot.outbox import Delivery
from bot.service import Service
from bot.types import Sent
from handlers.announcements import schedule
from storage.announcements import Broadcast, BroadcastRecipient, BroadcastStatus
from storage.models import Outbox, OutboxStatus
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser
from tests.handlers.announcements.helpers import Channels, compose, deliver, latest_broadcast, make_trainer


async def test_scheduled_announcement_goes_out_on_time_and_can_be_cancelled(service: Service,
                                                                           clock: ManualClock) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)  # in Laos: Asia/Vientiane, UTC+7
    learner = ch.user(service, "whatsapp:+8562055701")
    await learner.onboard(language="lo")
    await compose(t, "Grant applications close on Friday.")
    await t.press("Preview")
    await t.press("Schedule")
    replies = await t.say("2026-01-06 10:00")  # local time = 03:00 UTC; now is 2026-01-05 09:00 UTC
    assert "Scheduled for" in text_of(replies)
    b = await latest_broadcast(service)
    assert b.scheduled_at == datetime(2026, 1, 6, 3, 0, tzinfo=UTC)

    await deliver(service)
    assert ch.announcements() == Counter()
    clock.advance(hours=17, minutes=59)
    await deliver(service)
    assert ch.announcements() == Counter()
    clock.advance(minutes=1)
    await deliver(service)
    assert ch.announcements() == Counter({"whatsapp:+8562055701": 1})

    # A second one, scheduled "tomorrow 9:00", cancelled before its time: never sent.
    await compose(t, "Second notice")
    await t.press("Preview")
    await t.press("Schedule")
    replies = await t.say("tomorrow 9:00")
    assert "Scheduled for" in text_of(replies)
    replies = await t.press("Cancel it")
    assert "Cancelled" in text_of(replies)
    clock.advance(days=2)
    await deliver(service)
    assert ch.announcements() == Counter({"whatsapp:+8562055701": 1})
    replies = await t.say("/scheduled")
    assert "Grant applications" in text_of(replies) and "Second notice" not in text_of(replies)


async def test_past_or_unreadable_times_are_refused(service: Service) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)
    await compose(t, "Notice")
    await t.press("Preview")
    await t.press("Schedule")
    assert "could not read" in text_of(await t.say("next-ish"))
    assert "already passed" in text_of(await t.say("2025-01-01 09:00"))
    assert "Scheduled for" in text_of(await t.say("in 2 hours"))


def test_parse_when_forms() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Vientiane")
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 16:00 in Vientiane
    parse = schedule.parse_when
    assert parse("2026-12-01 09:00", now, zone) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert parse("01/12/2026 9:30", now, zone) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert parse("tomorrow 9:00", now, zone) == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert parse("Tomorrow 9am", now, zone) == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert parse("today 17:00", now, zone) == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert parse("15:00", now, zone) == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # passed today: tomorrow
    assert parse("2026-02-30 09:00", now, zone) is None
    assert parse("25:00", now, zone) is None



# --- restarts in the middle of a broadcast -------------------------------------------------------------


async def crowd(service: Service, ch: Channels, n: int) -> list[str]:
    addresses = [f"telegram:{5000 + i}" if i % 2 else f"whatsapp:+85620{5000 + i}" for i in range(n)]
    for address in addresses:
        await ch.user(service, address).onboard(language="lo")
    return addresses


async def start_now(t: ChatUser, text: str) -> None:
    await compose(t, text)
    await t.press("Preview")
    await t.press("Send now")


async def test_restart_after_part_of_the_expansion_neither_repeats_nor_skips(make_service: Any) -> None:
    service = await make_service()
    ch = Channels(service)
    t = await make_trainer(service, ch)
    addresses = await crowd(service, ch, 23)
    await start_now(t, "Training day on Saturday")

    jc = JobContext(service.db, service.deps, service.wake_outbox)
    assert await schedule.run_broadcasts(jc, batch=5, max_batches=2) == 10
    await service.outbox.drain()  # the first ten are sent
    assert sum(ch.announcements().values()) == 10

    # A crash inside the third batch, after its outbox rows were written: rolled back as a whole.
    real_enqueue_many = schedule.enqueue_many

    async def failing_enqueue_many(*args: Any, **kwargs: Any) -> Any:
        await real_enqueue_many(*args, **kwargs)
        raise RuntimeError("worker killed")

    schedule.enqueue_many = failing_enqueue_many
    try:
        with pytest.raises(RuntimeError):
            await schedule.run_broadcasts(jc, batch=5, max_batches=1)
    finally:
        schedule.enqueue_many = real_enqueue_many
    await service.stop()

    again = await make_service()
    ch.attach(again)
    await deliver(again)
    assert ch.announcements() == Counter(dict.fromkeys(addresses, 1))
    async with again.db.read() as s:
        recipients = await s.scalar(select(func.count()).select_from(BroadcastRecipient))
        status = (await s.scalars(select(Broadcast.status))).one()
    assert recipients == 23 and status == BroadcastStatus.DONE


class StoppingSender(RecordingSender):
    """Sends ``limit`` messages, then asks the outbox to stop (as a shutdown in the middle would)."""

    def __init__(self, channel: str, service: Service, shared: list[int], limit: int) -> None:
        super().__init__(channel=channel)
        self.service, self.shared, self.limit = service, shared, limit

    async def send(self, delivery: Delivery) -> Sent:
        sent = await super().send(delivery)
        self.shared[0] += 1
        if self.shared[0] >= self.limit:
            await self.service.outbox.stop()
        return sent


async def test_restart_after_part_of_the_outbox_was_sent(make_service: Any) -> None:
    service = await make_service()
    ch = Channels(service)
    t = await make_trainer(service, ch)
    addresses = await crowd(service, ch, 20)
    await start_now(t, "Fair on Sunday")
    shared = [0]
    first_tg = StoppingSender("telegram", service, shared, 7)
    first_wa = StoppingSender("whatsapp", service, shared, 7)
    service.outbox.add_sender(first_tg)
    service.outbox.add_sender(first_wa)
    await service.scheduler.run_once()
    await service.outbox.drain()
    first = Counter(a for a, r in first_tg.sent + first_wa.sent if r.kind == "announcement")
    assert 7 <= sum(first.values()) < 20
    await service.stop()

    again = await make_service()
    ch.attach(again)
    await deliver(again)
    total = first + ch.announcements()
    assert total == Counter(dict.fromkeys(addresses, 1))
    async with again.db.read() as s:
        left = await s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.broadcast_id.is_not(None), Outbox.status != OutboxStatus.SENT))
    assert left == 0

