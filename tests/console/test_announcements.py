"""``/admin/announcements``: audience counts against a hand-made database, the preview per language and
channel, nothing goes out before the confirmation, send now, schedule then cancel on the fake clock (nothing
sent after), the delivery funnel, hostile text escaped, and one audit row per action."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.service import Service
from storage.announcements import Broadcast, BroadcastStatus
from storage.audit import AuditEntry
from storage.broadcasts import audience_breakdown
from storage.models import Address, LessonProgress, Outbox, Role, User
from tests.console.test_security import session_cookie
from tests.driver import RecordingSender

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> \u202eevil\u200b'
PEOPLE: list[tuple[str, str, str, str, str, float, bool]] = [
    # name, language, country, channel, craft, hours since they last wrote, opted out
    ("Noy", "lo", "LA", "telegram", "weaving", 24, False),
    ("Kham", "lo", "LA", "whatsapp", "weaving", 72, False),
    ("Sok", "km", "KH", "telegram", "pottery", 5, True),
    ("Lan", "vi", "VN", "whatsapp", "lacquer", 1, False),
    (HOSTILE, "en", "LA", "telegram", "pottery", 240, False),
]


async def seed(service: Service) -> tuple[dict[str, int], str, str]:
    """Five people, a trainer (Tina); returns their ids and the trainer's cookie and CSRF token."""
    now = service.clock.now()
    ids: dict[str, int] = {}
    async with service.db.transaction() as session:
        for name, language, country, channel, craft, hours, opted_out in PEOPLE:
            user = User(name=name, language=language, country=country, craft=craft, onboarded=True,
                        opted_out=opted_out, created_at=now - timedelta(days=30))
            session.add(user)
            await session.flush()
            ids[name] = user.id
            session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{user.id}",
                                last_inbound_at=now - timedelta(hours=hours), created_at=now - timedelta(days=30)))
        session.add(LessonProgress(user_id=ids["Noy"], course_id="basics", completed_at=now - timedelta(days=1)))
        session.add(LessonProgress(user_id=ids["Kham"], course_id="basics"))
        trainer = User(name="Tina", role=Role.TRAINER, language="en", onboarded=True, created_at=now)
        session.add(trainer)
        await session.flush()
        ids["Tina"] = trainer.id
        session.add(Address(user_id=trainer.id, channel="terminal", address="terminal:tina"))
    cookie, csrf = await session_cookie(service, ids["Tina"])
    return ids, cookie, csrf


def recorders(service: Service) -> list[RecordingSender]:
    found = [RecordingSender(channel="telegram"), RecordingSender(channel="whatsapp")]
    for sender in found:
        service.outbox.add_sender(sender)
    return found


async def deliver(service: Service) -> None:
    await service.scheduler.run_once()
    await service.outbox.drain()
    await service.scheduler.run_once()
    await service.outbox.drain()


async def audit_rows(service: Service) -> list[tuple[str, str | None]]:
    async with service.db.read() as session:
        rows = (await session.execute(select(AuditEntry.action, AuditEntry.target).order_by(AuditEntry.id))).all()
    return [(r.action, r.target) for r in rows]


async def compose(console: TestClient, cookie: str, csrf: str, **fields: Any) -> tuple[int, str]:
    """Post the compose form; the new draft's id and its page."""
    data = {"csrf": csrf, "text": "Fair on Saturday", "do": "count", **fields}
    response = await console.post("/admin/announcements/new", data=data, headers={"Cookie": cookie},
                                  allow_redirects=False)
    assert response.status == 303, await response.text()
    path = response.headers["Location"]
    found = re.search(r"/admin/announcements/(\d+)", path)
    assert found
    page = await console.get(path, headers={"Cookie": cookie})
    assert page.status == 200
    return int(found.group(1)), await page.text()


async def test_audience_counts(service: Service) -> None:
    ids, _, _ = await seed(service)
    now = service.clock.now()
    expected: list[tuple[dict[str, Any], int, int, int]] = [  # audience, reach, opted out, outside the window
        ({}, 4, 1, 1),
        ({"country": "LA"}, 3, 0, 1),
        ({"channel": "whatsapp"}, 2, 0, 1),
        ({"language": "lo"}, 2, 0, 1),
        ({"course": "basics", "course_state": "completed"}, 1, 0, 0),
        ({"course": "basics", "course_state": "started"}, 2, 0, 1),
        ({"course": "basics", "course_state": "not_started"}, 2, 1, 0),
        ({"active_days": 2}, 2, 1, 0),
        ({"craft": "pottery"}, 1, 1, 0),
        ({"role": "trainer"}, 0, 0, 0),
        ({"role": "learner", "country": "VN"}, 1, 0, 0),
    ]
    async with service.db.read() as session:
        for audience, reach, opted_out, outside in expected:
            found = await audience_breakdown(session, audience, ids["Tina"], now)
            assert (found.reach, found.opted_out, found.outside_window) == (reach, opted_out, outside), audience
        everyone = await audience_breakdown(session, {}, ids["Tina"], now)
    assert everyone.channels == {"telegram": 2, "whatsapp": 2}
    assert everyone.languages == {"lo": 2, "vi": 1, "en": 1}


async def test_compose_counts_and_previews_then_confirm_before_sending(console: TestClient, service: Service) -> None:
    _, cookie, csrf = await seed(service)
    senders = recorders(service)
    b_id, page = await compose(console, cookie, csrf, country="LA", link_label="Programme",
                               link_url="https://example.org/fair", course_button="basics", interested="1")
    assert 'id="reach-count">3<' in page and 'id="outside-count">1<' in page
    assert 'lang="lo"' in page and "ພື້ນຖານການຂາຍ" in page  # the course button in Lao, for Lao readers
    assert "1. Programme" in page  # WhatsApp: the buttons as a numbered menu
    assert 'class="key">Programme<' in page  # Telegram: a button under the message
    confirm = await console.get(f"/admin/announcements/{b_id}/confirm?when=now", headers={"Cookie": cookie})
    assert 'id="confirm-count">3<' in await confirm.text()
    await deliver(service)
    assert not any(r.kind == "announcement" for s in senders for _, r in s.sent)  # nothing before confirming
    refused = await console.post(f"/admin/announcements/{b_id}/send", data={"when": "now"},
                                 headers={"Cookie": cookie})
    assert refused.status == 403  # no CSRF token
    sent = await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                              headers={"Cookie": cookie}, allow_redirects=False)
    assert sent.status == 303
    await deliver(service)
    got = [(a, r) for s in senders for a, r in s.sent if r.kind == "announcement"]
    assert len(got) == 3
    labels = {b.label for _, r in got for b in r.flat_buttons}
    assert "Programme" in labels and "I'm interested" in labels
    assert await audit_rows(service) == [("announcement.draft", f"broadcast:{b_id}"),
                                         ("announcement.send", f"broadcast:{b_id}")]


async def test_schedule_then_cancel_sends_nothing(console: TestClient, service: Service) -> None:
    ids, cookie, csrf = await seed(service)
    senders = recorders(service)
    b_id, _ = await compose(console, cookie, csrf)
    when = {"when": "later", "date": "2026-01-06", "time": "09:00", "zone": "Asia/Vientiane"}
    page = await console.get(f"/admin/announcements/{b_id}/confirm", params=when, headers={"Cookie": cookie})
    assert page.status == 200 and 'id="confirm-count">4<' in await page.text()
    past = await console.get(f"/admin/announcements/{b_id}/confirm", headers={"Cookie": cookie},
                             params={**when, "date": "2025-12-31"})
    assert past.status == 200 and "already passed" in await past.text() and 'id="confirm"' not in await past.text()
    response = await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, **when},
                                  headers={"Cookie": cookie}, allow_redirects=False)
    assert response.status == 303
    async with service.db.read() as session:
        b = await session.get(Broadcast, b_id)
        assert b is not None and b.status == BroadcastStatus.SCHEDULED
        assert b.scheduled_at is not None and b.scheduled_at.isoformat() == "2026-01-06T02:00:00+00:00"
    # (the fake clock says 2026-01-05 09:00 UTC; 09:00 in Vientiane is 02:00 UTC)
    cancelled = await console.post(f"/admin/announcements/{b_id}/cancel", data={"csrf": csrf},
                                   headers={"Cookie": cookie}, allow_redirects=False)
    assert cancelled.status == 303
    again = await console.post(f"/admin/announcements/{b_id}/cancel", data={"csrf": csrf},
                               headers={"Cookie": cookie}, allow_redirects=False)
    assert again.status == 303  # nothing left to cancel: no second audit row
    service.clock.advance(days=2)  # type: ignore[attr-defined]
    await deliver(service)
    cookie, _ = await session_cookie(service, ids["Tina"])  # the old session timed out
    assert not any(r.kind == "announcement" for s in senders for _, r in s.sent)
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.broadcast_id == b_id)) == 0
    view = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    assert 'id="cancel"' not in view and "Tina" in view
    assert [a for a, _ in await audit_rows(service)] == ["announcement.draft", "announcement.schedule",
                                                         "announcement.cancel"]


async def test_cancel_while_sending_stops_the_rest(console: TestClient, service: Service) -> None:
    _, cookie, csrf = await seed(service)
    recorders(service)
    b_id, _ = await compose(console, cookie, csrf)
    await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                       headers={"Cookie": cookie})
    await service.scheduler.run_once()  # expanded into the outbox, nothing sent yet
    await console.post(f"/admin/announcements/{b_id}/cancel", data={"csrf": csrf}, headers={"Cookie": cookie})
    await service.outbox.drain()
    view = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    assert 'id="stat-cancelled">4<' in view and 'id="stat-opted_out">1<' in view


async def test_funnel_counts_and_failures(console: TestClient, service: Service) -> None:
    ids, cookie, csrf = await seed(service)
    recorders(service)
    b_id, _ = await compose(console, cookie, csrf)
    await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                       headers={"Cookie": cookie})
    await deliver(service)
    async with service.db.transaction() as session:
        rows = {r.user_id: r for r in (await session.scalars(
            select(Outbox).where(Outbox.broadcast_id == b_id))).all()}
        rows[ids["Noy"]].status = "read"
        rows[ids["Kham"]].status, rows[ids["Kham"]].error = "failed", "twilio 63003: not on WhatsApp"
        rows[ids["Lan"]].status = "delivered"
        rows[ids[HOSTILE]].status, rows[ids[HOSTILE]].error = "failed", "blocked: Forbidden"
    view = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    table = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num"[^>]*>(\d+)</td></tr>', view))
    assert table == {"Queued": "4", "Sent": "2", "Delivered": "2", "Read": "1", "Failed": "1", "Blocked": "1",
                     "Still to send": "0", "Opted out (will not get it)": "1",
                     "Outside WhatsApp&#39;s 24-hour window": "0", "Cancelled before sending": "0",
                     "Button taps": "0"}
    assert "twilio 63003: not on WhatsApp" in view and "Kham" in view


async def test_hostile_text_is_escaped(console: TestClient, service: Service) -> None:
    _, cookie, csrf = await seed(service)
    b_id, page = await compose(console, cookie, csrf, text=HOSTILE, link_label=HOSTILE[:40],
                               link_url="https://example.org/x")
    for body in (page, await (await console.get("/admin/announcements", headers={"Cookie": cookie})).text(),
                 await (await console.get(f"/admin/announcements/{b_id}/confirm?when=now",
                                          headers={"Cookie": cookie})).text()):
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "\u202eevil\u200b" in body  # shown as typed, inside escaped text
    await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                       headers={"Cookie": cookie})
    await deliver(service)
    view = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    assert "<script>alert" not in view and "&lt;script&gt;" in view


async def test_bad_input_and_other_trainers(console: TestClient, service: Service) -> None:
    ids, cookie, csrf = await seed(service)
    b_id, page = await compose(console, cookie, csrf, text="", link_url="javascript:alert(1)")
    assert "Write the text" in page or "web address" in page
    async with service.db.read() as session:
        b = await session.get(Broadcast, b_id)
        assert b is not None and not b.links
    send = await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                              headers={"Cookie": cookie}, allow_redirects=False)
    assert send.status == 303
    async with service.db.read() as session:
        b = await session.get(Broadcast, b_id)
        assert b is not None and b.status == BroadcastStatus.DRAFT  # nothing to send: still a draft
    other_cookie, other_csrf = await session_cookie(service, ids["Noy"])
    async with service.db.transaction() as session:
        noy = await session.get(User, ids["Noy"])
        assert noy is not None
        noy.role = Role.TRAINER
    refused = await console.post(f"/admin/announcements/{b_id}/discard", data={"csrf": other_csrf},
                                 headers={"Cookie": other_cookie})
    assert refused.status == 403
    for gone in ("/admin/announcements/0", "/admin/announcements/x", "/admin/announcements/99/confirm"):
        response = await console.get(gone, headers={"Cookie": cookie}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/admin/announcements"


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


async def test_photo_link_and_course_buttons_reach_the_learner(console: TestClient, service: Service) -> None:
    from aiohttp import FormData

    from tests.driver import User as ChatUser

    ids, cookie, csrf = await seed(service)
    tg, _ = recorders(service)
    form = FormData()
    for name, value in {"csrf": csrf, "text": "Fair", "language": "lo", "channel": "telegram",
                        "link_label": "Programme", "link_url": "https://example.org/fair",
                        "course_button": "basics"}.items():
        form.add_field(name, value)
    form.add_field("photo", png(), filename="fair.png", content_type="image/png")
    response = await console.post("/admin/announcements/new", data=form, headers={"Cookie": cookie},
                                  allow_redirects=False)
    b_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    key = re.search(r'<img src="/media/([\w.]+)" alt="[^"]*" class="photo">', page)
    assert key and (await console.get(f"/media/{key.group(1)}")).status == 200
    await console.post(f"/admin/announcements/{b_id}/send", data={"csrf": csrf, "when": "now"},
                       headers={"Cookie": cookie})
    await deliver(service)
    [(address, reply)] = [(a, r) for a, r in tg.sent if r.kind == "announcement"]
    assert address == f"telegram:{ids['Noy']}" and reply.photo is not None and reply.photo.key == key.group(1)
    labels = [b.label for b in reply.flat_buttons]
    from bot.i18n import translator

    assert labels == ["Programme", translator("lo").gettext("Course: {title}", title="ພື້ນຖານການຂາຍ")[:40]]
    noy = ChatUser(service, tg, address)
    answer = await noy.send(payload=reply.flat_buttons[0].payload)
    assert any("https://example.org/fair" in r.text for r in answer)
    view = await (await console.get(f"/admin/announcements/{b_id}", headers={"Cookie": cookie})).text()
    assert 'id="stat-taps">1<' in view
    course = await noy.send(payload=reply.flat_buttons[1].payload)
    assert any("ພື້ນຖານການຂາຍ" in (r.title or "") + r.text for r in course)
