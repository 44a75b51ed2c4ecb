"""Announcements end to end on two channels (Telegram and WhatsApp recorders): audiences, opted-out users,
refusals, scheduling with a manual clock, reports, button taps, and restarts in the middle of a broadcast."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

import handlers.announcements.compose as trainer
from bot.context import ManualClock
from bot.i18n import translator
from bot.jobs import JobContext
from bot.outbox.worker import Delivery
from bot.service import Service
from bot.types import Held, Sent
from storage.announcements import AccessAttempt, Broadcast, BroadcastRecipient, BroadcastStatus
from storage.models import Outbox, OutboxStatus, Role, User
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser


class Channels:
    def __init__(self, service: Service) -> None:
        self.tg = RecordingSender(channel="telegram")
        self.wa = RecordingSender(channel="whatsapp")
        self.attach(service)

    def attach(self, service: Service) -> None:
        service.outbox.add_sender(self.tg)
        service.outbox.add_sender(self.wa)

    def user(self, service: Service, address: str) -> ChatUser:
        return ChatUser(service, self.tg if address.startswith("telegram:") else self.wa, address)

    def announcements(self) -> Counter[str]:
        return Counter(a for a, r in self.tg.sent + self.wa.sent if r.kind == "announcement")


async def make_trainer(service: Service, channels: Channels, address: str = "telegram:100") -> ChatUser:
    t = channels.user(service, address)
    await t.onboard(name="Kham", language="en", country="LA")
    await trainer.grant_role(service.db, address.split(":")[0], address, Role.TRAINER, datetime.now(UTC))
    return t


async def set_opted_out(service: Service, address: str) -> None:
    from storage.models import Address

    async with service.db.transaction() as s:
        user_id = await s.scalar(select(Address.user_id).where(Address.address == address))
        await s.execute(update(User).where(User.id == user_id).values(opted_out=True))


async def latest_broadcast(service: Service) -> Broadcast:
    async with service.db.read() as s:
        b = (await s.scalars(select(Broadcast).order_by(Broadcast.id.desc()))).first()
    assert b is not None
    return b


async def compose(t: ChatUser, text: str, *filters: str) -> list[Any]:
    """/announce, the text, then each filter payload suffix such as ``country:LA``."""
    await t.say("/announce")
    replies = await t.say(text)
    b_id = int(replies[-1].flat_buttons[0].payload.split(":")[2])
    for f in filters:
        replies = await t.send(payload=f"trainer:set:{b_id}:{f}")
    return replies


async def deliver(service: Service) -> None:
    await service.scheduler.run_once()
    await service.outbox.drain()
    await service.scheduler.run_once()  # the summary once nothing is left in the outbox
    await service.outbox.drain()


LAO_TG, LAO_WA, LAO_STOP = "telegram:201", "whatsapp:+8562055501", "whatsapp:+8562055502"
LAO_TH, EN_LA = "telegram:202", "whatsapp:+8562055503"


async def test_trainer_announces_to_lao_speakers_of_one_country_on_two_channels(service: Service) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)
    people = {LAO_TG: ("lo", "LA"), LAO_WA: ("lo", "LA"), LAO_STOP: ("lo", "LA"), LAO_TH: ("lo", "TH"),
              EN_LA: ("en", "LA")}
    users = {}
    for address, (language, country) in people.items():
        users[address] = ch.user(service, address)
        await users[address].onboard(language=language, country=country)
    await set_opted_out(service, LAO_STOP)

    replies = await compose(t, "Weaving fair in Luang Prabang on 1 December. Stalls are free.",
                            "country:LA", "language:lo")
    screen = text_of(replies)
    assert "country: Laos" in screen and "ພາສາລາວ" in screen
    assert "It will reach 2 people" in screen and "1 more opted out" in screen
    await t.press("Add “I'm interested”")
    replies = await t.press("Preview")
    assert "Weaving fair" in text_of(replies) and "It will reach 2 people" in text_of(replies)
    replies = await t.press("Send now")
    assert "Sending now to 2 people" in text_of(replies)

    await deliver(service)
    got = ch.announcements()
    assert got == Counter({LAO_TG: 1, LAO_WA: 1})  # not the opted-out one, not Thailand, not English
    lao_reply = ch.tg.to(LAO_TG)[-1]
    assert lao_reply.kind == "announcement" and "Weaving fair" in lao_reply.text
    assert lao_reply.flat_buttons[0].payload.startswith("ann:tap:")

    summary = text_of(t.inbox())
    assert "Your announcement has gone out" in summary
    assert "Targeted: 3" in summary and "Sent: 2" in summary and "1 opted out" in summary

    # Taps are counted once per person; the report shows them.
    users[LAO_TG].inbox()
    replies = await users[LAO_TG].press("ann:tap")
    thanks = translator("lo").gettext("Thank you! The organisers will know you are interested.")
    assert text_of(replies).strip() == thanks
    await users[LAO_TG].send(payload=lao_reply.flat_buttons[0].payload)
    replies = await t.say("/report")
    assert "Tapped “I'm interested”: 1" in text_of(replies)


async def test_audience_by_craft_course_and_province(service: Service) -> None:
    ch = Channels(service)
    t = await make_trainer(service, ch)
    a = ch.user(service, "telegram:301")
    await a.onboard(craft="ceramics")
    b = ch.user(service, "telegram:302")
    await b.onboard(craft="ceramics")
    await b.send(payload="lesson:basics")  # enrolled in the course
    c = ch.user(service, "whatsapp:+8562055504")
    await c.onboard(craft="weaving")
    async with service.db.transaction() as s:
        await s.execute(update(User).where(User.name == "Noy").values(province="Luang Prabang"))

    replies = await compose(t, "Ceramics learners: new kiln workshop", "craft:ceramics")
    assert "It will reach 2 people" in text_of(replies)
    b_id = (await latest_broadcast(service)).id
    replies = await t.send(payload=f"trainer:set:{b_id}:course:basics:enrolled")
    assert "It will reach 1 person" in text_of(replies)
    replies = await t.send(payload=f"trainer:set:{b_id}:course:basics:not_started")
    assert "It will reach 1 person" in text_of(replies)
    await t.send(payload=f"trainer:aud:{b_id}:clear")
    await t.send(payload=f"trainer:aud:{b_id}:province")
    replies = await t.say("luang prabang")
    assert "It will reach 3 people" in text_of(replies)


async def test_non_trainer_is_refused_and_logged(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    ch = Channels(service)
    learner = ch.user(service, "telegram:400")
    await learner.onboard()
    replies = await learner.say("/announce")
    assert "only for trainers" in text_of(replies)
    replies = await learner.send(payload="trainer:now:1")
    assert "only for trainers" in text_of(replies)
    replies = await learner.say("/report")
    assert "only for trainers" in text_of(replies)
    async with service.db.read() as s:
        attempts = list((await s.scalars(select(AccessAttempt.action))).all())
        broadcasts = await s.scalar(select(func.count()).select_from(Broadcast))
    assert attempts == ["/announce", "trainer:now:1", "/report"]
    assert broadcasts == 0
    assert any("refused" in r.getMessage() for r in caplog.records)
    # The menu shows "Trainer tools" only to trainers.
    replies = await learner.say("/menu")
    assert "trainer:tools" not in [b.payload for r in replies for b in r.flat_buttons]


async def test_invite_code_makes_a_trainer_once(service: Service, clock: ManualClock) -> None:
    ch = Channels(service)
    async with service.db.transaction() as s:
        code = await trainer.create_invite(s, Role.TRAINER, clock.now())
    newcomer = ch.user(service, "whatsapp:+8562055600")
    await newcomer.onboard()
    replies = await newcomer.say("/trainer WRONG-CODE")
    assert "not valid" in text_of(replies)
    await newcomer.say("/trainer")
    replies = await newcomer.say(code.lower())  # typed casually
    assert "Welcome, trainer" in text_of(replies)
    replies = await newcomer.say("/menu")
    assert "trainer:tools" in [b.payload for r in replies for b in r.flat_buttons]
    other = ch.user(service, "telegram:601")
    await other.onboard()
    replies = await other.say(f"/trainer {code}")
    assert "not valid" in text_of(replies)
    replies = await other.say("/announce")
    assert "only for trainers" in text_of(replies)


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
    parse = trainer.parse_when
    assert parse("2026-12-01 09:00", now, zone) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert parse("01/12/2026 9:30", now, zone) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert parse("tomorrow 9:00", now, zone) == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert parse("Tomorrow 9am", now, zone) == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)
    assert parse("today 17:00", now, zone) == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert parse("15:00", now, zone) == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # passed today: tomorrow
    assert parse("2026-02-30 09:00", now, zone) is None
    assert parse("25:00", now, zone) is None


class HoldingSender(RecordingSender):
    """WhatsApp outside the 24-hour window for some numbers: the sender raises Held."""

    def __init__(self, held: set[str]) -> None:
        super().__init__(channel="whatsapp")
        self.held = held

    async def send(self, delivery: Delivery) -> Sent:
        if delivery.address in self.held and delivery.reply.kind == "announcement":
            raise Held("outside the 24-hour window")
        return await super().send(delivery)


async def test_report_counts_blocked_and_outside_window(service: Service) -> None:
    ch = Channels(service)
    ch.wa = HoldingSender({"whatsapp:+8562055802"})
    service.outbox.add_sender(ch.wa)
    t = await make_trainer(service, ch)
    for address in ("whatsapp:+8562055801", "whatsapp:+8562055802", "telegram:803"):
        await ch.user(service, address).onboard()
    from storage.models import Address

    async with service.db.transaction() as s:
        await s.execute(update(Address).where(Address.address == "telegram:803").values(blocked=True))
    await compose(t, "Fair news")
    await t.press("Preview")
    await t.press("Send now")
    await deliver(service)
    summary = text_of(t.inbox())
    assert "Targeted: 3" in summary and "Sent: 1" in summary
    assert "1 blocked the bot" in summary and "1 outside WhatsApp's 24-hour window" in summary


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
    assert await trainer.run_broadcasts(jc, batch=5, max_batches=2) == 10
    await service.outbox.drain()  # the first ten are sent
    assert sum(ch.announcements().values()) == 10

    # A crash inside the third batch, after its outbox rows were written: rolled back as a whole.
    real_enqueue_many = trainer.enqueue_many

    async def failing_enqueue_many(*args: Any, **kwargs: Any) -> Any:
        await real_enqueue_many(*args, **kwargs)
        raise RuntimeError("worker killed")

    trainer.enqueue_many = failing_enqueue_many  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            await trainer.run_broadcasts(jc, batch=5, max_batches=1)
    finally:
        trainer.enqueue_many = real_enqueue_many  # type: ignore[assignment]
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


async def test_cli_grant_and_invite(database_url: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.cli import build_parser
    from bot.config import Settings
    from storage.db import Database

    settings = Settings(database_url=database_url)
    args = build_parser().parse_args(["admin", "grant", "trainer", "whatsapp", "+8562055900"])
    await asyncio.to_thread(args.func, args, settings)
    assert "whatsapp:+8562055900" in capsys.readouterr().out
    args = build_parser().parse_args(["admin", "invite", "trainer"])
    await asyncio.to_thread(args.func, args, settings)
    out = capsys.readouterr().out
    assert "/trainer " in out
    db = Database(database_url)
    async with db.read() as s:
        from storage.models import Address

        role = await s.scalar(select(User.role).join(Address).where(Address.address == "whatsapp:+8562055900"))
        from storage.announcements import TrainerInvite

        code = out.split("/trainer ")[1].split()[0]
        invite = (await s.scalars(select(TrainerInvite))).one()
    await db.close()
    assert role == Role.TRAINER
    assert invite.code_hash == trainer.hash_code(code) and code not in invite.code_hash
