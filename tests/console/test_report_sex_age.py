"""The periodic report's beneficiaries by sex and age band, against a hand-made database: codes counted per
table (skipped answers as "not given", trainers not counted), labels in the reader's language on the page and
the dashboard, codes in the CSV; and an answer given in the chat's onboarding reaching the report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.i18n import Translator
from bot.service import Service
from storage.console import Filters, report_tables
from storage.models import Address, Role, User
from tests.console.test_security import session_cookie
from tests.driver import RecordingSender
from tests.driver import User as ChatUser

PEOPLE = [  # name, country, sex, age band (None: skipped)
    ("Noy", "LA", "woman", "18_24"),
    ("Kham", "LA", "woman", "25_34"),
    ("Sok", "KH", "man", "25_34"),
    ("Lan", "VN", "another", "65_plus"),
    ("Bee", "LA", "undisclosed", "undisclosed"),
    ("Dao", "LA", None, None),
    ("Mali", "TH", "woman", "under_18"),
]


async def seed(service: Service) -> str:
    now = service.clock.now()
    async with service.db.transaction() as session:
        for i, (name, country, sex, age) in enumerate(PEOPLE):
            user = User(name=name, country=country, sex=sex, age_band=age, craft="weaving", onboarded=True,
                        created_at=now - timedelta(days=1 + i))
            session.add(user)
            await session.flush()
            session.add(Address(user_id=user.id, channel="telegram", address=f"telegram:{name.lower()}"))
        trainer = User(name="Tina", role=Role.TRAINER, sex="woman", age_band="35_44", onboarded=True, created_at=now)
        session.add(trainer)
        await session.flush()
        trainer_id = trainer.id
    cookie, _ = await session_cookie(service, trainer_id)
    return cookie


async def test_report_counts_by_sex_and_age_band(service: Service) -> None:
    await seed(service)
    async with service.db.transaction() as session:
        everyone = await report_tables(session, Filters(days=None), service.clock.now())
        laos = await report_tables(session, Filters(days=None, country="LA"), service.clock.now())
        recent = await report_tables(session, Filters(days=None, channel="whatsapp"), service.clock.now())
    assert everyone["sex"] == [("", 1), ("another", 1), ("man", 1), ("undisclosed", 1), ("woman", 3)]
    assert everyone["age_band"] == [("", 1), ("18_24", 1), ("25_34", 2), ("65_plus", 1), ("under_18", 1),
                                    ("undisclosed", 1)]
    assert laos["sex"] == [("", 1), ("undisclosed", 1), ("woman", 2)]
    assert laos["age_band"] == [("", 1), ("18_24", 1), ("25_34", 1), ("undisclosed", 1)]
    assert recent["sex"] == [] and recent["age_band"] == []


async def test_report_page_dashboard_and_csv(console: TestClient, service: Service) -> None:
    cookie = await seed(service)
    page = await (await console.get("/admin/report?period=all", headers={"Cookie": cookie})).text()
    sex = page[page.index("Beneficiaries: Sex"):page.index("Beneficiaries: Age band")]
    assert [w in sex for w in ("Woman", "Man", "Another identity", "Prefer not to say", "Not given")] == [True] * 5
    assert sex.index("Woman") < sex.index("Man") < sex.index("Another identity") < sex.index("Not given")
    ages = page[page.index("Beneficiaries: Age band"):]
    assert ages.index("Under 18") < ages.index("18 to 24") < ages.index("65 or older") < ages.index("Not given")
    assert "under_18" not in page and "undisclosed" not in page  # labels, not codes
    dashboard = await (await console.get("/admin?period=all", headers={"Cookie": cookie})).text()
    assert 'id="by-sex"' in dashboard and 'id="by-age_band"' in dashboard and "Another identity" in dashboard
    lao = await (await console.get("/admin/report?period=all&lang=lo", headers={"Cookie": cookie})).text()
    assert Translator("lo").gettext("Another identity") in lao
    response = await console.get("/admin/export/report.csv?period=all", headers={"Cookie": cookie})
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert ["sex", "woman", "3"] in rows and ["age_band", "25_34", "2"] in rows and ["sex", "", "1"] in rows


async def test_an_answer_given_in_onboarding_is_counted(console: TestClient, service: Service,
                                                        recorder: RecordingSender) -> None:
    await seed(service)
    som = ChatUser(service, recorder, "terminal:som")
    await som.say("/start")
    await som.press("English")
    await som.say("Som")
    await som.press("Ceramics")
    await som.press("Thailand")
    await som.press("Man")
    await som.say("47")
    async with service.db.transaction() as session:
        tables = await report_tables(session, Filters(days=None, country="TH"), service.clock.now())
    assert tables["sex"] == [("man", 1), ("woman", 1)] and tables["age_band"] == [("45_54", 1), ("under_18", 1)]
