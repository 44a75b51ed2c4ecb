"""The audit log: one row per console or admin-CLI action; ``/admin/audit`` (admins only) filters by action,
person, record and period, pages by key, exports CSV; nothing can edit or delete a row."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
from datetime import timedelta

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.console.auth import ROUTES
from bot.service import Service
from handlers.announcements import roles
from handlers.console import login_link
from storage.audit import AuditEntry, record
from storage.models import Role
from tests.console.conftest import Person, user_id_of
from tests.console.hostile import NAME, assert_escaped
from tests.console.test_security import session_cookie


async def rows(service: Service) -> list[AuditEntry]:
    async with service.db.read() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def test_admin_command_line_writes_one_row_each(service: Service, person: Person) -> None:
    await person("terminal:tom", Role.LEARNER, name="Tom")
    tom = await user_id_of(service, "terminal:tom")
    await roles.grant_role(service.db, "terminal", "tom", Role.TRAINER, service.clock.now())
    args = argparse.Namespace(role=Role.TRAINER, days=5)
    assert await asyncio.to_thread(roles._invite, args, service.settings) == 0
    link, why = await login_link(service.settings, "terminal", "tom", service.clock.now())
    assert link and not why
    refused, _ = await login_link(service.settings, "terminal", "nobody", service.clock.now())
    assert refused is None  # no link, nothing to record
    await roles.grant_role(service.db, "terminal", "tom", Role.LEARNER, service.clock.now())
    found = await rows(service)
    assert [(r.action, r.actor, r.address, r.actor_id) for r in found] == [
        ("role.grant", "cli", "cli", None), ("invite.create", "cli", "cli", None),
        ("login.link", "cli", "cli", None), ("role.revoke", "cli", "cli", None)]
    assert found[0].target == f"user:{tom}" and found[2].target == f"user:{tom}"
    assert found[1].target and found[1].target.startswith("invite:") and '"days": 5' in (found[1].detail or "")


async def seed_log(service: Service, evil: int, ada: int) -> None:
    now = service.clock.now()
    async with service.db.transaction() as session:
        for i in range(6):
            await record(session, at=now - timedelta(days=i * 20), actor_id=evil, actor=NAME,
                         action="listing.approve" if i % 2 else "ticket.reply", target=f"listing:{i}",
                         address="203.0.113.9", detail={"text": "=HYPERLINK(\"http://x\")"})
        await record(session, at=now, actor_id=None, actor="cli", action="role.grant", target=f"user:{ada}",
                     address="cli", detail={"role": "admin"})


async def test_audit_page_filters_paging_and_csv(console: TestClient, service: Service, person: Person) -> None:
    await person("terminal:ada", Role.ADMIN, name="Ada")
    await person("terminal:evil", Role.TRAINER, name=NAME)
    ada, evil = await user_id_of(service, "terminal:ada"), await user_id_of(service, "terminal:evil")
    await seed_log(service, evil, ada)
    cookie, _ = await session_cookie(service, ada)
    headers = {"Cookie": cookie}
    body = await (await console.get("/admin/audit", headers=headers)).text()
    assert body.count('id="entry-') == 7
    assert_escaped(body, "audit", img=False)
    listing = await (await console.get("/admin/audit?action=listing", headers=headers)).text()
    assert listing.count('id="entry-') == 3 and "ticket.reply" not in listing
    cli = await (await console.get("/admin/audit?actor=cli", headers=headers)).text()
    assert cli.count('id="entry-') == 1 and f"user:{ada}" in cli
    person_rows = await (await console.get(f"/admin/audit?actor={evil}&period=30", headers=headers)).text()
    assert person_rows.count('id="entry-') == 2  # 0 and 20 days ago
    one = await (await console.get("/admin/audit?target=listing:3", headers=headers)).text()
    assert one.count('id="entry-') == 1
    odd = await (await console.get("/admin/audit?action=%3Cscript%3E&actor=x&period=nope", headers=headers)).text()
    assert odd.count('id="entry-') == 7  # malformed filters are ignored

    from bot.console import audit

    audit.PAGE_SIZE, size = 3, audit.PAGE_SIZE
    try:
        first = await (await console.get("/admin/audit?action=listing", headers=headers)).text()
        assert first.count('id="entry-') == 3 and "before=" not in first
        page = await (await console.get("/admin/audit", headers=headers)).text()
        newest = [e.id for e in await rows(service)][-3]
        assert f"before={newest}" in page
        rest = await (await console.get(f"/admin/audit?before={newest}", headers=headers)).text()
        assert rest.count('id="entry-') == 3 and f'id="entry-{newest}"' not in rest
    finally:
        audit.PAGE_SIZE = size

    response = await console.get("/admin/audit.csv?action=listing", headers=headers)
    assert response.headers["Content-Type"].startswith("text/csv")
    found = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert [r["action"] for r in found] == ["listing.approve"] * 3
    assert found[0]["actor"] == NAME and found[0]["detail"].startswith('{"text": "=HYPERLINK')
    everything = await console.get("/admin/audit.csv", headers=headers)
    assert len(list(csv.DictReader(io.StringIO((await everything.read()).decode("utf-8-sig"))))) == 7


def test_no_route_changes_the_log() -> None:
    audit_routes = [(r.method, r.path) for r in ROUTES if r.path.startswith("/audit")]
    assert audit_routes and all(method == "GET" for method, _ in audit_routes)
    assert {r.role for r in ROUTES if r.path.startswith("/audit")} == {Role.ADMIN}
