"""Retention: old duplicate-check ids, old sent outbox replies and expired link codes are pruned in batches."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.context import ManualClock
from bot.service import Service
from storage.links import LinkCode
from storage.models import Outbox, OutboxStatus, SeenMessage
from storage.retention import prune


async def counts(service: Service) -> tuple[int, int, int]:
    async with service.db.read() as session:
        seen = await session.scalar(select(func.count()).select_from(SeenMessage))
        outbox = await session.scalar(select(func.count()).select_from(Outbox))
        codes = await session.scalar(select(func.count()).select_from(LinkCode))
    return int(seen or 0), int(outbox or 0), int(codes or 0)


async def fill(service: Service, clock: ManualClock, n: int, tag: str = "old") -> None:
    async with service.db.transaction() as session:
        for i in range(n):
            session.add(SeenMessage(channel="telegram", external_id=f"{tag}{i}", seen_at=clock.now()))
            for status in (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING):
                session.add(Outbox(channel="telegram", address=f"telegram:{i}", body={"text": "x"}, status=status,
                                   created_at=clock.now(), next_attempt_at=clock.now()))
            session.add(Outbox(channel="telegram", address=f"telegram:{i}", body={"text": "x"}, status="sent",
                               broadcast_id=1, created_at=clock.now(), next_attempt_at=clock.now()))


async def test_prune_keeps_what_is_recent_pending_or_counted_by_broadcast_reports(
        service: Service, clock: ManualClock) -> None:
    await fill(service, clock, 5)
    clock.advance(days=31)
    await fill(service, clock, 1, "new")  # recent
    pruned = await prune(service.db, clock.now(), seen_days=30, outbox_days=90, batch=2)
    assert (pruned.seen, pruned.outbox) == (5, 0)
    clock.advance(days=60)
    pruned = await prune(service.db, clock.now(), seen_days=30, outbox_days=90, batch=2)
    # 5 old sent + 5 old failed replies go; pending rows and broadcast rows stay; the recent ones stay.
    assert pruned.outbox == 10 and pruned.seen == 1
    seen, outbox, _ = await counts(service)
    assert seen == 0 and outbox == 6 * 4 - 10


async def test_the_retention_job_uses_the_settings_and_drops_expired_link_codes(
        chat_user, service: Service, clock: ManualClock) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard()
    await ana.say("/link")
    assert (await counts(service))[2] == 1
    clock.advance(days=2)  # the code has expired; the seen ids are younger than 30 days
    done = await service.scheduler.run_once()
    assert done["retention"] >= 1
    seen, _, codes = await counts(service)
    assert codes == 0 and seen > 0
    clock.advance(days=30)
    await service.scheduler.run_once()
    assert (await counts(service))[0] == 0
