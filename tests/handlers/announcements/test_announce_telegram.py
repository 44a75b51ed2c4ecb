"""A broadcast through the real TelegramSender to the fake Bot API with flood limits on: 429s are
retried, and every learner gets the announcement exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select

from bot.service import Service
from storage.announcements import Broadcast, BroadcastStatus
from storage.models import Address, Outbox, OutboxStatus, Role, User
from tests.fakes.telegram_api import FakeTelegramAPI, Flood

LEARNERS = 30


async def add_users(service: Service, now: datetime) -> int:
    async with service.db.transaction() as s:
        t = User(name="Trainer", language="en", country="LA", role=Role.TRAINER, onboarded=True, step_data={},
                 menu=[], profile={}, created_at=now)
        s.add(t)
        await s.flush()
        s.add(Address(user_id=t.id, channel="telegram", address="telegram:999", created_at=now))
        ids = list((await s.scalars(insert(User).returning(User.id), [
            dict(name=f"L{i}", language="lo", country="LA", role=Role.LEARNER, onboarded=True, opted_out=False,
                 step_data={}, menu=[], profile={}, created_at=now) for i in range(LEARNERS)])).all())
        await s.execute(insert(Address), [dict(user_id=uid, channel="telegram", address=f"telegram:{7000 + i}",
                                               blocked=False, created_at=now) for i, uid in enumerate(ids)])
        return t.id


async def test_flood_limited_broadcast_is_retried_without_loss_or_doubles(make_service: Any,
                                                                          fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.flood = Flood(per_bot=20, per_chat=1, chat_burst=3, retry_after=1)
    # The bot believes it may go three times faster than the API allows: 429s are certain.
    service = await make_service(telegram_token=fake_telegram.token, telegram_api_url=fake_telegram.base_url,
                                 telegram_file_url=fake_telegram.file_url, telegram_rate=60.0)
    now = datetime.now(UTC)
    author = await add_users(service, now)
    async with service.db.transaction() as s:
        s.add(Broadcast(author_id=author, text="Fair on Saturday <free stalls> & music", audience={},
                        status=BroadcastStatus.SCHEDULED, scheduled_at=service.clock.now(), button=True, cursor=0,
                        targeted=0, created_at=now))
    await service.scheduler.run_once()
    await service.outbox.drain()
    await service.scheduler.run_once()  # the summary to the trainer
    await service.outbox.drain()

    sent = Counter(str(c.params["chat_id"]) for c in fake_telegram.sent())
    assert sent == Counter({**{str(7000 + i): 1 for i in range(LEARNERS)}, "999": 1})
    assert fake_telegram.rejected_429 > 0
    assert service.outbox.stats.rate_limited == fake_telegram.rejected_429
    text = fake_telegram.texts("7000")[0]
    assert "Fair on Saturday &lt;free stalls&gt; &amp; music" in text
    assert "Sent: 30" in fake_telegram.texts("999")[0]
    async with service.db.read() as s:
        not_sent = await s.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != OutboxStatus.SENT))
    assert not_sent == 0
