"""Erasing a learner from the console: admins only, a confirmation page, CSRF, the chat's own /forget
(nothing more is sent to them, certificates stay as anonymous counts) and exactly one audit row."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.service import Service
from storage.audit import AuditEntry
from storage.certificates import Certificate
from storage.console import Filters
from storage.console_courses import course_totals
from storage.models import Address, Outbox, OutboxStatus, Role, User
from storage.outbox import add_message
from tests.console.conftest import Person, user_id_of
from tests.console.test_security import session_cookie
from tests.driver import RecordingSender
from tests.driver import User as ChatUser

COURSE_BY_BUTTONS = ["lesson:basics", "quiz:basics:q1:1", "lesson:basics", "lesson:basics", "quiz:basics:q2:0",
                     "lesson:basics"]


async def learner_with_history(service: Service, person: Person) -> tuple[ChatUser, int]:
    """Noy: a finished course (a certificate) and a wrong answer in review."""
    noy = await person("terminal:noy", name="Noy")
    for payload in COURSE_BY_BUTTONS:
        await noy.send(payload=payload)
    return noy, await user_id_of(service, noy.address)


async def queue_messages(service: Service, noy: ChatUser, uid: int) -> None:
    """Two messages to Noy not sent yet (after the last chat turn, which sends everything due)."""
    async with service.db.transaction() as session:
        for text in ("Your lesson is waiting", "New course!"):
            add_message(session, uid, "terminal", noy.address, "text", {"text": text}, now=service.clock.now())


async def staff(service: Service, person: Person, address: str, role: str) -> tuple[str, str]:
    await person(address, role, name=role.title())
    cookie, csrf = await session_cookie(service, await user_id_of(service, address))
    return cookie, csrf


async def exists(service: Service, user_id: int) -> bool:
    async with service.db.read() as session:
        return await session.get(User, user_id) is not None


async def audit_rows(service: Service) -> list[AuditEntry]:
    async with service.db.read() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == "learner.erase"))).all())


async def test_trainers_cannot_erase_but_see_why(console: TestClient, service: Service, person: Person) -> None:
    _, uid = await learner_with_history(service, person)
    cookie, csrf = await staff(service, person, "terminal:tina", Role.TRAINER)
    page = await (await console.get(f"/admin/learners/{uid}", headers={"Cookie": cookie})).text()
    assert "Erasing a learner is for admins only" in page and 'id="erase-link"' not in page
    assert f"/admin/learners/{uid}/export.json" in page  # the JSON export stays with trainers
    confirm = await console.get(f"/admin/learners/{uid}/erase", headers={"Cookie": cookie}, allow_redirects=False)
    assert confirm.status == 403
    erase = await console.post(f"/admin/learners/{uid}/erase", data={"csrf": csrf}, headers={"Cookie": cookie},
                               allow_redirects=False)
    assert erase.status == 403
    assert await exists(service, uid) and await audit_rows(service) == []


async def test_erase_without_the_csrf_token_is_refused(console: TestClient, service: Service, person: Person) -> None:
    _, uid = await learner_with_history(service, person)
    cookie, csrf = await staff(service, person, "terminal:ada", Role.ADMIN)
    for data in ({}, {"csrf": "wrong"}, {"csrf": csrf[:-1]}):
        response = await console.post(f"/admin/learners/{uid}/erase", data=data, headers={"Cookie": cookie},
                                      allow_redirects=False)
        assert response.status == 403
    assert await exists(service, uid) and await audit_rows(service) == []


async def test_admin_erases_a_learner(console: TestClient, service: Service, person: Person,
                                      recorder: RecordingSender) -> None:
    noy, uid = await learner_with_history(service, person)
    cookie, csrf = await staff(service, person, "terminal:ada", Role.ADMIN)
    await queue_messages(service, noy, uid)
    headers = {"Cookie": cookie}
    page = await (await console.get(f"/admin/learners/{uid}", headers=headers)).text()
    assert f'href="/admin/learners/{uid}/erase"' in page
    confirm = await (await console.get(f"/admin/learners/{uid}/erase", headers=headers)).text()
    assert re.search(r'id="erase-waiting">2<', confirm) and 'id="erase-confirm"' in confirm
    assert await exists(service, uid)  # showing the page changes nothing
    sent_before = len(recorder.to(noy.address))

    done = await console.post(f"/admin/learners/{uid}/erase", data={"csrf": csrf}, headers=headers,
                              allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == f"/admin/learners?erased={uid}"
    note = await (await console.get(done.headers["Location"], headers=headers)).text()
    assert f"Learner #{uid} was erased." in note

    assert not await exists(service, uid)
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).where(Address.address == noy.address)) == 0
        waiting = select(func.count()).where(Outbox.address == noy.address, Outbox.status == OutboxStatus.PENDING)
        assert await session.scalar(waiting) == 0
        assert await session.scalar(select(func.count()).where(Outbox.user_id == uid)) == 0
        skipped = (await session.scalars(select(Outbox).where(Outbox.error == "erased"))).all()
        assert len(skipped) == 2 and all(row.body == {"text": ""} for row in skipped)
        [certificate] = (await session.scalars(select(Certificate))).all()
        assert certificate.user_id is None and certificate.name is None and certificate.revoked_at is None
        totals = await course_totals(session, Filters(days=None), service.clock.now())
    assert totals["basics"].certificates == 1 and totals["basics"].started == 0  # an anonymous count stays
    await service.outbox.drain()
    assert len(recorder.to(noy.address)) == sent_before  # nothing more is sent to them
    [entry] = await audit_rows(service)
    assert entry.target == f"user:{uid}" and entry.actor == "Admin" and "Noy" not in (entry.detail or "")
    again = await console.post(f"/admin/learners/{uid}/erase", data={"csrf": csrf}, headers=headers,
                               allow_redirects=False)
    assert again.status == 404 and len(await audit_rows(service)) == 1


async def test_staff_are_not_erased_here(console: TestClient, service: Service, person: Person) -> None:
    cookie, csrf = await staff(service, person, "terminal:ada", Role.ADMIN)
    await staff(service, person, "terminal:tina", Role.TRAINER)
    tina = await user_id_of(service, "terminal:tina")
    confirm = await (await console.get(f"/admin/learners/{tina}/erase", headers={"Cookie": cookie})).text()
    assert 'id="erase-refused"' in confirm and 'id="erase-confirm"' not in confirm
    refused = await console.post(f"/admin/learners/{tina}/erase", data={"csrf": csrf}, headers={"Cookie": cookie},
                                 allow_redirects=False)
    assert refused.status == 409 and await exists(service, tina) and await audit_rows(service) == []
