"""Dashboard, learners, exports and the periodic report against a hand-made database."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.service import Service
from storage.console import Filters, report_tables
from storage.faq import FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Outbox, QuizAnswer, Role, User
from tests.console.test_security import session_cookie

PEOPLE = [  # name, country, province, craft, channel, completed courses
    ("Noy", "LA", "Vientiane", "weaving", "telegram", 1),
    ("Kham", "LA", "Luang Prabang", "weaving", "whatsapp", 0),
    ("Sok", "KH", "Siem Reap", "pottery", "telegram", 2),
    ("Lan", "VN", "Hue", "lacquer", "whatsapp", 0),
]


async def seed(service: Service) -> tuple[dict[str, int], str]:
    now = service.clock.now()
    ids: dict[str, int] = {}
    async with service.db.transaction() as session:
        for i, (name, country, province, craft, channel, done) in enumerate(PEOPLE):
            user = User(name=name, country=country, province=province, craft=craft, language="en",
                        onboarded=True, created_at=now - timedelta(days=3 + 20 * i))
            session.add(user)
            await session.flush()
            ids[name] = user.id
            session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{name.lower()}",
                                last_inbound_at=now - timedelta(days=2 + 10 * i)))
            for c in range(2):
                session.add(LessonProgress(user_id=user.id, course_id=f"course{c}", lessons_done=3,
                                           started_at=now - timedelta(days=5),
                                           completed_at=now - timedelta(days=1) if c < done else None))
            session.add(QuizAnswer(user_id=user.id, course_id="course0", question_id="q1", choice=1,
                                   correct=i % 2 == 0, answered_at=now - timedelta(days=1)))
        trainer = User(name="Tina", role=Role.TRAINER, onboarded=True, created_at=now)
        session.add(trainer)
        await session.flush()
        session.add(Address(user_id=trainer.id, channel="terminal", address="terminal:tina"))
        for status in ("pending", "active", "active", "expired"):
            session.add(Listing(seller_id=ids["Noy"], name="Scarf", description="silk", price="100", currency="LAK",
                                category="textiles", country="LA", location="Vientiane", contact="relay",
                                status=status, created_at=now - timedelta(days=1)))
        session.add(FaqTicket(user_id=ids["Sok"], question="How to ship?", created_at=now - timedelta(days=1)))
        session.add(FaqUnanswered(user_id=ids["Sok"], question="price?", outcome="none",
                                  created_at=now - timedelta(days=1)))
        for status in ("sent", "delivered", "failed"):
            session.add(Outbox(user_id=ids["Noy"], channel="telegram", address="telegram:noy", body={},
                               status=status, broadcast_id=1, created_at=now - timedelta(days=1)))
        await session.flush()
        ids["Tina"] = trainer.id
    cookie, _ = await session_cookie(service, ids["Tina"])
    return ids, cookie


async def test_dashboard_numbers_and_filters(console: TestClient, service: Service) -> None:
    _, cookie = await seed(service)
    body = await (await console.get("/admin?period=all", headers={"Cookie": cookie})).text()
    assert 'id="total">4<' in body
    assert "<svg" in body and "<table>" in body and "<script" not in body
    for word in ("Waiting for review", "Handed to a person", "Delivered", "weaving", "whatsapp"):
        assert word in body
    laos = await (await console.get("/admin?period=all&country=LA", headers={"Cookie": cookie})).text()
    assert 'id="total">2<' in laos
    assert 'value="LA" selected' in laos  # the URL keeps the filter
    telegram = await (await console.get("/admin?period=all&channel=telegram", headers={"Cookie": cookie})).text()
    assert 'id="total">2<' in telegram
    lao_language = await (await console.get("/admin?lang=lo", headers={"Cookie": cookie})).text()
    assert 'lang="lo"' in lao_language


async def test_learner_counts_by_period(service: Service) -> None:
    await seed(service)
    from storage.console import learner_counts

    async with service.db.transaction() as session:
        counts = await learner_counts(session, Filters(days=30), service.clock.now())
    # Created 3, 23, 43, 63 days ago; wrote 2, 12, 22, 32 days ago.
    assert counts == {"total": 4, "active_7": 1, "active_30": 3, "new": 2}


async def test_periodic_report_numbers(service: Service, console: TestClient) -> None:
    _, cookie = await seed(service)
    async with service.db.transaction() as session:
        tables = await report_tables(session, Filters(days=None), service.clock.now())
    assert tables["country"] == [("KH", 1), ("LA", 2), ("VN", 1)]
    assert tables["province"] == [("KH / Siem Reap", 1), ("LA / Luang Prabang", 1), ("LA / Vientiane", 1),
                                  ("VN / Hue", 1)]
    assert tables["craft"] == [("lacquer", 1), ("pottery", 1), ("weaving", 2)]
    assert tables["courses_completed"] == [("course0", 2), ("course1", 1)]
    assert tables["listings_posted"] == [("LA", 4)]
    assert tables["sex"] == tables["age_band"] == [("", 4)]  # not given (tests/console/test_report_sex_age.py)
    response = await console.get("/admin/export/report.csv?period=all", headers={"Cookie": cookie})
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert rows[0] == ["table", "group", "count"]
    assert ["craft", "weaving", "2"] in rows and ["courses_completed", "course0", "2"] in rows


async def test_learners_search_paging_and_page(console: TestClient, service: Service) -> None:
    ids, cookie = await seed(service)
    body = await (await console.get("/admin/learners?q=kha", headers={"Cookie": cookie})).text()
    assert "Kham" in body and "Noy" not in body
    by_address = await (await console.get("/admin/learners?q=telegram:sok", headers={"Cookie": cookie})).text()
    assert "Sok" in by_address and "Kham" not in by_address
    from bot.console import learners

    learners.PAGE_SIZE, size = 2, learners.PAGE_SIZE
    try:
        first = await (await console.get("/admin/learners?period=all", headers={"Cookie": cookie})).text()
        assert "Lan" in first and "Sok" in first and "Noy" not in first
        assert f"after={ids['Sok']}" in first
        second = await (await console.get(f"/admin/learners?after={ids['Sok']}", headers={"Cookie": cookie})).text()
        assert "Kham" in second and "Noy" in second and "Sok" not in second
    finally:
        learners.PAGE_SIZE = size
    page = await (await console.get(f"/admin/learners/{ids['Noy']}", headers={"Cookie": cookie})).text()
    assert "course0" in page and "Scarf" in page
    missing = await console.get("/admin/learners/999999", headers={"Cookie": cookie})
    assert missing.status == 404


async def test_learner_json_export(console: TestClient, service: Service) -> None:
    ids, cookie = await seed(service)
    response = await console.get(f"/admin/learners/{ids['Sok']}/export.json", headers={"Cookie": cookie})
    data = json.loads(await response.text())
    assert data["user"]["name"] == "Sok" and data["addresses"][0]["address"] == "telegram:sok"
    assert len(data["progress"]) == 2 and data["tickets"][0]["question"] == "How to ship?"
    assert data["unanswered"][0]["question"] == "price?" and "step_data" not in data["user"]


async def test_csv_and_xlsx_exports_with_filters(console: TestClient, service: Service) -> None:
    from openpyxl import load_workbook

    _, cookie = await seed(service)
    response = await console.get("/admin/export/learners.csv?period=all&country=LA", headers={"Cookie": cookie})
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert sorted(r["name"] for r in rows) == ["Kham", "Noy"]
    progress = await console.get("/admin/export/progress.csv?course=course0", headers={"Cookie": cookie})
    rows = list(csv.DictReader(io.StringIO((await progress.read()).decode("utf-8-sig"))))
    assert len(rows) == 4 and {r["course"] for r in rows} == {"course0"}
    xlsx = await console.get("/admin/export/learners.xlsx?period=all", headers={"Cookie": cookie})
    sheet = load_workbook(io.BytesIO(await xlsx.read()), read_only=True)["learners"]
    values = list(sheet.values)
    assert values[0][:2] == ("id", "name") and len(values) == 5


async def test_formula_like_names_are_neutralised_in_exports(console: TestClient, service: Service) -> None:
    _, cookie = await seed(service)
    async with service.db.transaction() as session:
        session.add(User(name="=HYPERLINK(\"http://x\")", onboarded=True, created_at=service.clock.now()))
    body = (await (await console.get("/admin/export/learners.csv", headers={"Cookie": cookie})).read()).decode()
    assert "'=HYPERLINK" in body
