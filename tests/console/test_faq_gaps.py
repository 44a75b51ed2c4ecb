"""``/admin/faq``: unanswered questions grouped by the FAQ's matcher with counts per language, the FAQ entry
made for a group (YAML that the content checker reads back, downloadable), the bot's answers to the group's
questions with the entry added, nothing written into the library, and hostile questions escaped."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.faq_gaps import Asked, Draft, check_snippet, entry_data, group_questions, snippet, try_entry
from bot.service import Service
from bot.text.faq_index import FaqIndex
from content import load_library
from storage.audit import AuditEntry
from storage.faq import FaqUnanswered
from storage.models import Role, User
from tests.conftest import TEST_CONTENT
from tests.console.test_security import session_cookie

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> \u202egnirts\u200b'
QUESTIONS = [  # question, language
    ("how do I get a passport", "en"),
    ("How can I get a passport?", "en"),
    ("how to get my passport", "en"),
    ("can I sell on shopee", "en"),
    ("how to sell on shopee", "en"),
    ("ລາຄາຄຳມື້ນີ້", "lo"),
    ("ລາຄາຄຳ ມື້ນີ້ເທົ່າໃດ", "lo"),
    (HOSTILE, "km"),
]


def asked(texts: list[tuple[str, str]]) -> list[Asked]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [Asked(i, text, language, start + timedelta(minutes=i)) for i, (text, language) in enumerate(texts)]


def test_similar_questions_group_and_different_ones_do_not() -> None:
    groups = group_questions(asked(QUESTIONS))
    found = sorted(sorted(q.text for q in g.questions) for g in groups)
    assert sorted(["How can I get a passport?", "how do I get a passport", "how to get my passport"]) in found
    assert sorted(["can I sell on shopee", "how to sell on shopee"]) in found
    assert sorted(["ລາຄາຄຳມື້ນີ້", "ລາຄາຄຳ ມື້ນີ້ເທົ່າໃດ"]) in found
    assert [HOSTILE] in found
    assert len(groups[0].questions) == 3 and groups[0].languages == {"en": 3}


def test_entry_snippet_reads_back_and_answers_the_group() -> None:
    library, _ = load_library(TEST_CONTENT)
    group = asked(QUESTIONS[:3])
    draft = Draft("get-passport", "other", {"en": "Apply at the immigration office with your ID card."},
                  {"en": ["Where do I apply for a passport?"]})
    text = snippet(entry_data(draft, group))
    data = yaml.safe_load(text)
    assert data[0]["questions"]["en"][0] == "Where do I apply for a passport?"
    assert {q.text for q in group} <= set(data[0]["questions"]["en"])
    entry, problems = check_snippet(text, library)
    assert problems == [] and entry is not None and entry.id == "get-passport"
    trials = try_entry(library, entry, [q.text for q in group], FaqIndex.for_library(library))
    assert all(t.after.outcome == "answer" and t.after.best and t.after.best.entry_id == "get-passport"
               for t in trials)
    assert all(t.before.outcome != "answer" for t in trials)
    taken, problems = check_snippet(snippet(entry_data(Draft("change-language", "bot", {"en": "x"}, {}), group)),
                                    library)
    assert taken is None and any("used twice" in p.message for p in problems)


async def seed(service: Service) -> tuple[list[int], str, str]:
    now = service.clock.now()
    ids = []
    async with service.db.transaction() as session:
        trainer = User(name="Tina", role=Role.TRAINER, language="en", onboarded=True)
        session.add(trainer)
        for i, (question, language) in enumerate(QUESTIONS):
            row = FaqUnanswered(question=question, language=language, outcome="none",
                                created_at=now - timedelta(hours=i + 1))
            session.add(row)
            await session.flush()
            ids.append(row.id)
        session.add(FaqUnanswered(question="an old one about passports", language="en", outcome="none",
                                  created_at=now - timedelta(days=400)))
        await session.flush()
        trainer_id = trainer.id
    cookie, csrf = await session_cookie(service, trainer_id)
    return ids, cookie, csrf


def library_files(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


async def test_gaps_page_entry_form_snippet_and_preview(console: TestClient, service: Service) -> None:
    ids, cookie, csrf = await seed(service)
    before = library_files(Path(service.settings.content_dir))
    page = await (await console.get("/admin/faq?period=365", headers={"Cookie": cookie})).text()
    assert 'id="gaps-total">8<' in page  # the 400-day-old question is outside the period
    assert re.search(r'<span class="count">3</span> · how do I get a passport', page)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202egnirts\u200b" in page
    everything = await (await console.get("/admin/faq?period=all", headers={"Cookie": cookie})).text()
    assert 'id="gaps-total">9<' in everything
    lao = await (await console.get("/admin/faq?period=all&language=lo", headers={"Cookie": cookie})).text()
    assert 'id="gaps-total">2<' in lao
    query = "&".join(f"q={i}" for i in ids[:3])
    form = await (await console.get(f"/admin/faq/entry?{query}", headers={"Cookie": cookie})).text()
    assert 'value="how-do-i-get-a"' in form or 'name="entry_id"' in form
    fields = {"csrf": csrf, "q": [str(i) for i in ids[:3]], "entry_id": "get-passport", "topic": "other",
              "answer_en": "Apply at the immigration office with your ID card.",
              "phrasings_en": "Where do I apply for a passport?\nnew passport"}
    data = [(k, v) for k, values in fields.items() for v in (values if isinstance(values, list) else [values])]
    made = await console.post("/admin/faq/entry", data=data, headers={"Cookie": cookie})
    body = await made.text()
    assert made.status == 200 and 'id="entry-problems"' not in body
    shown = re.search(r'<pre id="snippet">(.*?)</pre>', body, re.S)
    assert shown
    entry = yaml.safe_load(html.unescape(shown.group(1)))[0]
    assert entry["id"] == "get-passport" and "how do I get a passport" in entry["questions"]["en"]
    assert body.count("answers with get-passport") == 3
    download = await console.post("/admin/faq/entry", data=[*data, ("download", "1")], headers={"Cookie": cookie})
    assert download.status == 200 and "attachment" in download.headers["Content-Disposition"]
    assert yaml.safe_load(await download.text())[0]["answer"]["en"].startswith("Apply at")
    hostile = await console.post("/admin/faq/entry", headers={"Cookie": cookie}, data=[
        ("csrf", csrf), ("q", str(ids[-1])), ("entry_id", "x"), ("answer_en", HOSTILE)])
    hostile_body = await hostile.text()
    assert "<script>alert" not in hostile_body and "<img src=x" not in hostile_body
    refused = await console.post("/admin/faq/entry", data=[(k, v) for k, v in data if k != "csrf"],
                                 headers={"Cookie": cookie})
    assert refused.status == 403
    assert library_files(Path(service.settings.content_dir)) == before  # the library is never written
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0  # nothing changed
