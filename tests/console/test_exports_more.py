"""Exports of completions, listings and unanswered FAQ questions, as CSV and XLSX, with the page's filters;
downloads are reads, so they leave no audit row."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.console import exports
from bot.service import Service
from storage.audit import AuditEntry
from storage.certificates import issue_certificate
from storage.faq import FaqTicket, FaqUnanswered
from storage.market import Listing
from storage.models import Address, LessonProgress, Role, User
from tests.console.test_security import session_cookie


async def seed(service: Service) -> tuple[dict[str, int], str, str]:
    """Noy (LA, Telegram) and Sok (KH, WhatsApp) with completions, listings and FAQ misses; a trainer."""
    now = service.clock.now()
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    ids: dict[str, int] = {}
    async with service.db.transaction() as session:
        for name, country, channel in (("Noy", "LA", "telegram"), ("Sok", "KH", "whatsapp"), ("Tina", None, "x")):
            user = User(name=name, country=country, language="en", onboarded=True, created_at=ago(200),
                        role=Role.TRAINER if name == "Tina" else Role.LEARNER)
            session.add(user)
            await session.flush()
            ids[name] = user.id
            session.add(Address(user_id=user.id, channel=channel, address=f"{channel}:{name.lower()}"))
        for name, course, done in (("Noy", "basics", 2), ("Noy", "pricing", None), ("Sok", "basics", 60),
                                   ("Sok", "pricing", 1), ("Tina", "basics", 1)):
            session.add(LessonProgress(user_id=ids[name], course_id=course, lessons_done=3, started_at=ago(90),
                                       completed_at=ago(done) if done else None))
        code = (await issue_certificate(session, user_id=ids["Noy"], course_id="basics", name="Noy",
                                        course_title="Selling basics", language="en", issuer="Hub", now=ago(2))).code
        for seller, title, status, country, created in (("Noy", "Silk scarf", "active", "LA", 1),
                                                        ("Noy", "=cmd()", "pending", "LA", 40),
                                                        ("Sok", "Clay pot", "active", "KH", 1)):
            session.add(Listing(seller_id=ids[seller], name=title, description="", price="120000", currency="LAK",
                                category="textiles", country=country, location="", contact="relay", status=status,
                                created_at=ago(created), expires_at=ago(created - 30)))
        for name, question, created in (("Noy", "How do I ship to Japan?", 3), ("Sok", "Is it a scam?", 2),
                                        ("Sok", "Old question", 100)):
            session.add(FaqUnanswered(user_id=ids[name], question=question, language="en", outcome="none",
                                      created_at=ago(created)))
        session.add(FaqTicket(user_id=ids["Noy"], question="How do I ship to Japan?", created_at=ago(1)))
    cookie, _ = await session_cookie(service, ids["Tina"])
    return ids, cookie, code


async def csv_rows(console: TestClient, url: str, cookie: str) -> list[dict[str, str]]:
    response = await console.get(url, headers={"Cookie": cookie})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))


async def xlsx_rows(console: TestClient, url: str, cookie: str, sheet: str) -> list[tuple[Any, ...]]:
    response = await console.get(url, headers={"Cookie": cookie})
    assert response.status == 200 and response.headers["Content-Type"] == exports.XLSX
    return list(load_workbook(io.BytesIO(await response.read()), read_only=True)[sheet].values)


async def test_completions_export(console: TestClient, service: Service) -> None:
    ids, cookie, code = await seed(service)
    rows = await csv_rows(console, "/admin/export/completions.csv?period=all", cookie)
    assert list(rows[0]) == ["learner_id", "learner", "course", "completed_at", "certificate"]
    assert sorted((r["learner"], r["course"], r["certificate"]) for r in rows) == [
        ("Noy", "basics", code), ("Sok", "basics", ""), ("Sok", "pricing", "")]  # the trainer is no learner
    assert rows[0]["learner_id"] == str(ids["Noy"]) and rows[0]["completed_at"].startswith(
        (service.clock.now() - timedelta(days=2)).date().isoformat())
    month = await csv_rows(console, "/admin/export/completions.csv", cookie)  # the default period: 30 days
    assert sorted((r["learner"], r["course"]) for r in month) == [("Noy", "basics"), ("Sok", "pricing")]
    laos = await csv_rows(console, "/admin/export/completions.csv?period=all&country=LA", cookie)
    assert [r["learner"] for r in laos] == ["Noy"]
    pricing = await csv_rows(console, "/admin/export/completions.csv?period=all&course=pricing", cookie)
    assert [(r["learner"], r["course"]) for r in pricing] == [("Sok", "pricing")]
    sheet = await xlsx_rows(console, "/admin/export/completions.xlsx?period=all&channel=whatsapp", cookie,
                            "completions")
    assert sheet[0] == ("learner_id", "learner", "course", "completed_at", "certificate")
    assert sorted(row[2] for row in sheet[1:]) == ["basics", "pricing"] and {row[1] for row in sheet[1:]} == {"Sok"}


async def test_listings_export(console: TestClient, service: Service) -> None:
    ids, cookie, _ = await seed(service)
    rows = await csv_rows(console, "/admin/export/listings.csv?period=all", cookie)
    assert list(rows[0]) == ["id", "seller_id", "seller", "title", "price", "currency", "status", "created_at",
                             "expires_at"]
    assert [(r["seller"], r["title"], r["status"]) for r in rows] == [
        ("Noy", "Silk scarf", "active"), ("Noy", "'=cmd()", "pending"), ("Sok", "Clay pot", "active")]
    assert rows[0]["seller_id"] == str(ids["Noy"]) and rows[0]["price"] == "120000" and rows[0]["expires_at"]
    month = await csv_rows(console, "/admin/export/listings.csv?period=30", cookie)
    assert [r["title"] for r in month] == ["Silk scarf", "Clay pot"]
    cambodia = await csv_rows(console, "/admin/export/listings.csv?period=all&country=KH", cookie)
    assert [r["title"] for r in cambodia] == ["Clay pot"]
    sheet = await xlsx_rows(console, "/admin/export/listings.xlsx?period=all&channel=telegram", cookie, "listings")
    assert [row[3] for row in sheet[1:]] == ["Silk scarf", "'=cmd()"] and sheet[1][5] == "LAK"


async def test_faq_misses_export(console: TestClient, service: Service) -> None:
    _, cookie, _ = await seed(service)
    rows = await csv_rows(console, "/admin/export/faq_misses.csv?period=all", cookie)
    assert list(rows[0]) == ["id", "question", "language", "outcome", "created_at", "handed_over"]
    assert [(r["question"], r["handed_over"]) for r in rows] == [
        ("How do I ship to Japan?", "True"), ("Is it a scam?", "False"), ("Old question", "False")]
    month = await csv_rows(console, "/admin/export/faq_misses.csv", cookie)
    assert [r["question"] for r in month] == ["How do I ship to Japan?", "Is it a scam?"]
    sheet = await xlsx_rows(console, "/admin/export/faq_misses.xlsx?period=all&country=KH", cookie, "faq_misses")
    assert [(row[1], row[5]) for row in sheet[1:]] == [("Is it a scam?", False), ("Old question", False)]


async def test_exports_stream_in_batches_and_are_not_audited(console: TestClient, service: Service) -> None:
    _, cookie, _ = await seed(service)
    exports.BATCH, size = 1, exports.BATCH  # one row a batch: the paging by id must not lose or repeat rows
    try:
        rows = await csv_rows(console, "/admin/export/listings.csv?period=all", cookie)
        completions = await csv_rows(console, "/admin/export/completions.csv?period=all", cookie)
        misses = await csv_rows(console, "/admin/export/faq_misses.csv?period=all", cookie)
    finally:
        exports.BATCH = size
    assert (len(rows), len(completions), len(misses)) == (3, 3, 3)
    page = await (await console.get("/admin/learners", headers={"Cookie": cookie})).text()
    for name in ("completions", "listings", "faq_misses"):
        assert f"/admin/export/{name}.csv?" in page and f"/admin/export/{name}.xlsx?" in page
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0
