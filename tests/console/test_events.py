"""``/admin/events``: roles, CSRF, escaping; creating an event; attendance counts and the CSV; checking in by a
typed code and by the QR link (GET shows who, POST checks in), each change with one audit row."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.service import Service
from storage.audit import AuditEntry
from storage.console import Filters, report_tables
from storage.events import Event, Rsvp, sign_up
from storage.models import Role, User
from tests.console.test_security import session_cookie

HOSTILE = "<script>alert(1)</script>"
START = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)


async def seed(service: Service) -> tuple[int, list[str], dict[str, str], dict[str, str]]:
    """An event (2 places) with three sign-ups (one waiting); a trainer's and a learner's cookies."""
    async with service.db.transaction() as session:
        people = [User(name=name, language="en", onboarded=True, role=role, step_data={})
                  for name, role in (("Tina", Role.TRAINER), ("Lea", Role.LEARNER), ("=HYPERLINK()", Role.LEARNER),
                                     (HOSTILE, Role.LEARNER), ("Ben", Role.LEARNER))]
        session.add_all(people)
        event = Event(title=f"Fair {HOSTILE}", kind="fair", starts_at=START, ends_at=START + timedelta(hours=8),
                      timezone="Asia/Vientiane", place="Talat Sao", capacity=2, languages=["lo"], description="",
                      status="open")
        session.add(event)
        await session.flush()
        codes = []
        for person in people[2:]:
            rsvp, _ = await sign_up(session, event, person.id, service.clock.now())
            codes.append(rsvp.code)
        ids = (event.id, people[0].id, people[1].id)
    trainer, csrf = await session_cookie(service, ids[1])
    learner, _ = await session_cookie(service, ids[2])
    return ids[0], codes, {"Cookie": trainer, "csrf": csrf}, {"Cookie": learner}


async def audits(service: Service, action: str) -> int:
    async with service.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)
                                        .where(AuditEntry.action == action)) or 0)


async def test_event_pages_roles_escaping_counts_and_csv(console: TestClient, service: Service) -> None:
    event_id, _, trainer, learner = await seed(service)
    cookie = {"Cookie": trainer["Cookie"]}
    assert (await console.get("/admin/events", headers=learner, allow_redirects=False)).status in (302, 303, 403)
    assert (await console.get("/admin/events", allow_redirects=False)).status in (302, 303, 401, 403)
    listing = await (await console.get("/admin/events", headers=cookie)).text()
    assert HOSTILE not in listing and "&lt;script&gt;" in listing
    page = await (await console.get(f"/admin/events/{event_id}", headers=cookie)).text()
    assert HOSTILE not in page and 'id="count-rsvped">2<' in page and 'id="count-waiting">1<' in page
    download = await console.get(f"/admin/events/{event_id}/attendance.csv", headers=cookie)
    assert download.status == 200 and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO((await download.text()).lstrip("\ufeff"))))
    assert rows[0][:5] == ["place", "user_id", "name", "language", "state"]
    assert [r[4] for r in rows[1:]] == ["going", "going", "waiting"]
    assert rows[1][2] == "'=HYPERLINK()"  # never a formula in a spreadsheet
    assert (await console.get("/admin/events/99999", headers=cookie)).status == 404
    assert (await console.get(f"/admin/events/{event_id}/attendance.csv", headers=learner,
                              allow_redirects=False)).status != 200


async def test_create_event_form_checks_csrf_and_fields(console: TestClient, service: Service) -> None:
    _, _, trainer, _ = await seed(service)
    cookie = {"Cookie": trainer["Cookie"]}
    assert "event-form" in await (await console.get("/admin/events/new", headers=cookie)).text()
    fields = {"title": HOSTILE, "kind": "workshop", "zone": "Asia/Manila", "start": "2026-02-14T09:00",
              "end": "2026-02-14T16:30", "place": "Vigan", "capacity": "25", "languages": "fil",
              "description": "Bring an apron."}
    refused = await console.post("/admin/events/new", data=fields, headers=cookie, allow_redirects=False)
    assert refused.status == 403
    bad = await console.post("/admin/events/new", data={**fields, "csrf": trainer["csrf"], "end": "2026-02-13T09:00"},
                             headers=cookie)
    body = await bad.text()
    assert bad.status == 400 and "the end after it" in body and HOSTILE not in body
    made = await console.post("/admin/events/new", data={**fields, "csrf": trainer["csrf"]}, headers=cookie,
                              allow_redirects=False)
    assert made.status == 303 and "done=created" in made.headers["Location"]
    async with service.db.read() as session:
        event = (await session.scalars(select(Event).where(Event.title == HOSTILE))).one()
    assert event.starts_at == datetime(2026, 2, 14, 1, 0, tzinfo=UTC) and event.languages == ["fil"]
    assert event.capacity == 25 and await audits(service, "event.create") == 1


async def test_check_in_typed_and_by_qr_link(console: TestClient, service: Service) -> None:
    event_id, codes, trainer, learner = await seed(service)
    cookie = {"Cookie": trainer["Cookie"]}
    typed = await console.post(f"/admin/events/{event_id}/checkin", headers=cookie, allow_redirects=False,
                               data={"csrf": trainer["csrf"], "code": codes[0].lower()})
    assert typed.status == 303 and "done=ok" in typed.headers["Location"]
    shown = await (await console.get(typed.headers["Location"], headers=cookie)).text()
    assert "Checked in:" in shown and 'id="count-checked-in">1<' in shown
    again = await console.post(f"/admin/events/{event_id}/checkin", headers=cookie, allow_redirects=False,
                               data={"csrf": trainer["csrf"], "code": codes[0]})
    assert "done=reused" in again.headers["Location"]
    unknown = await console.post(f"/admin/events/{event_id}/checkin", headers=cookie, allow_redirects=False,
                                 data={"csrf": trainer["csrf"], "code": HOSTILE})
    assert "done=unknown" in unknown.headers["Location"]

    scan = await console.get(f"/admin/events/checkin/{codes[1]}", headers=cookie)
    body = await scan.text()
    assert scan.status == 200 and 'id="confirm-checkin"' in body and HOSTILE not in body  # who it is, escaped
    async with service.db.read() as session:
        assert (await session.scalars(select(Rsvp).where(Rsvp.code == codes[1]))).one().checked_in_at is None
    assert (await console.post(f"/admin/events/checkin/{codes[1]}", headers=cookie)).status == 403  # no CSRF
    done = await console.post(f"/admin/events/checkin/{codes[1]}", headers=cookie, data={"csrf": trainer["csrf"]})
    assert 'id="outcome"' in await done.text()
    waiting = await (await console.get(f"/admin/events/checkin/{codes[2]}", headers=cookie)).text()
    assert "has no place" in waiting
    assert (await console.get(f"/admin/events/checkin/{codes[1]}", headers=learner,
                              allow_redirects=False)).status != 200
    assert await audits(service, "event.checkin") == 2
    async with service.db.read() as session:  # the periodic report counts them
        tables = await report_tables(session, Filters(days=None), service.clock.now())
    assert tables["events_attended"] == [(f"Fair {HOSTILE} (2026-01-10)", 2)]
    report = await (await console.get("/admin/report?period=all", headers=cookie)).text()
    assert "Events: people checked in" in report and HOSTILE not in report
