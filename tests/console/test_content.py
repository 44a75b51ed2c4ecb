"""``/admin/content``: every course and FAQ entry of the library, lessons and quizzes as each channel shows
them in the chosen language, the content check's problems beside them (a library broken after the bot
started), and hostile text in the content escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.i18n import translator
from bot.service import Service
from storage.models import Role, User
from tests.conftest import MakeService, content_with_faq
from tests.console.test_security import session_cookie

FAQ = """
- id: change-language
  topic: bot
  questions:
    en: ["How do I change the language?", "<script>alert(1)</script> switch language"]
    lo: ["ປ່ຽນພາສາແນວໃດ"]
  answer:
    en: Send /language and choose. "><img src=x onerror=alert(1)>
"""

BROKEN = """
id: broken
title: {en: A broken course}
lessons:
  - id: one
    title: {en: One}
  - id: two
    title: {en: Two}
    text: {en: Fine.}
    quiz:
      - id: q1
        question: {en: "Which one"}
        choices:
          - text: {en: A}
          - text: {en: B}
"""


@pytest.fixture
async def service(make_service: MakeService, tmp_path: Path) -> Service:
    return await make_service(public_url=None, content_dir=content_with_faq(tmp_path, FAQ))


async def trainer_cookie(service: Service) -> str:
    async with service.db.transaction() as session:
        trainer = User(name="Tina", role=Role.TRAINER, language="en", onboarded=True)
        session.add(trainer)
        await session.flush()
        trainer_id = trainer.id
    cookie, _ = await session_cookie(service, trainer_id)
    return cookie


async def test_content_lists_courses_and_entries_and_renders_each_channel(console: TestClient,
                                                                          service: Service) -> None:
    cookie = await trainer_cookie(service)
    page = await (await console.get("/admin/content", headers={"Cookie": cookie})).text()
    assert 'id="course-basics"' in page and "Selling basics" in page and "change-language" in page
    assert "No problems found." in page
    assert "<script>alert" not in page and "&lt;script&gt;" not in page  # the first phrasing is the one shown
    lao = await (await console.get("/admin/content/courses/basics?show=lo", headers={"Cookie": cookie})).text()
    assert "ຮູ້ຕົ້ນທຶນຂອງທ່ານ" in lao  # a lesson title in Lao
    assert 'class="key">Materials and time<' in lao  # Telegram: a quiz choice as a button
    assert "1. Materials and time" in lao  # WhatsApp: the choices numbered
    note = translator("lo").gettext("(Not translated into your language yet, so here it is in English.)")
    assert note in lao  # an English-only question, with the learner's note
    entry = await (await console.get("/admin/content/faq/change-language", headers={"Cookie": cookie})).text()
    assert "<script>alert" not in entry and "&lt;script&gt;alert(1)&lt;/script&gt;" in entry
    assert "<img src=x" not in entry and "&lt;img src=x" in entry
    for gone in ("/admin/content/courses/nope", "/admin/content/faq/nope"):
        response = await console.get(gone, headers={"Cookie": cookie}, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/admin/content"


async def test_a_broken_library_shows_its_problems(console: TestClient, service: Service) -> None:
    cookie = await trainer_cookie(service)
    (Path(service.settings.content_dir) / "courses" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    page = await (await console.get("/admin/content", headers={"Cookie": cookie})).text()
    assert 'id="course-basics"' in page and 'id="course-broken"' in page  # every course is listed
    assert "courses/broken.yaml:" in page
    assert "lesson &#39;one&#39; has no &#39;text&#39;" in page
    assert "needs exactly one choice with correct: true" in page
    course = await (await console.get("/admin/content/courses/broken", headers={"Cookie": cookie})).text()
    assert 'id="course-problems"' in course


async def test_learners_cannot_open_the_content_pages(console: TestClient, service: Service) -> None:
    async with service.db.transaction() as session:
        learner = User(name="Noy", onboarded=True)
        session.add(learner)
        await session.flush()
        learner_id = learner.id
    cookie, _ = await session_cookie(service, learner_id)
    for path in ("/admin/content", "/admin/faq", "/admin/announcements"):
        response = await console.get(path, headers={"Cookie": cookie}, allow_redirects=False)
        assert response.status in (303, 403), path
