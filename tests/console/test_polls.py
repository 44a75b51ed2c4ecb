"""``/admin/polls``: the list, a poll's results (escaped), the CSV exports, closing early (CSRF, audited),
and who may see what (a learner: refused; another trainer's poll: not found; anonymous: no per-person CSV)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.service import Service
from storage.audit import AuditEntry
from storage.models import Role
from storage.polls import Poll, PollStatus
from tests.console.conftest import Person, user_id_of
from tests.console.test_security import session_cookie
from tests.handlers.polls.helpers import make_poll, run_job

HOSTILE = "<script>alert(1)</script>"


async def test_poll_results_page_csv_and_close(service: Service, console: TestClient, person: Person) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    learner = await person("terminal:lee", name="Lee")
    poll_id = await make_poll(trainer, [(f"Best day? {HOSTILE}", "Single choice", [HOSTILE, "Sunday"])],
                              anonymous=False)
    await run_job(service)
    learner.inbox()
    await learner.say("1")
    cookie, csrf = await session_cookie(service, await user_id_of(service, trainer.address))
    headers = {"Cookie": cookie}

    listing = await (await console.get("/admin/polls", headers=headers)).text()
    assert f'href="/admin/polls/{poll_id}"' in listing and "<script>alert" not in listing
    page = await (await console.get(f"/admin/polls/{poll_id}", headers=headers)).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "100%" in page and "Tina" not in page and "Lee" in page  # named: Lee's answer is listed

    results = await console.get(f"/admin/polls/{poll_id}/results.csv", headers=headers)
    assert results.status == 200 and results.headers["Content-Type"].startswith("text/csv")
    body = (await results.read()).decode("utf-8-sig")
    assert f"1,Best day? {HOSTILE},single,{HOSTILE},1,100,1" in body
    answers = (await (await console.get(f"/admin/polls/{poll_id}/answers.csv", headers=headers)).read()).decode()
    assert "Lee" in answers

    refused = await console.post(f"/admin/polls/{poll_id}/close", headers=headers, data={"csrf": "wrong"},
                                 allow_redirects=False)
    assert refused.status in (400, 403)
    done = await console.post(f"/admin/polls/{poll_id}/close", headers=headers, allow_redirects=False,
                              data={"csrf": csrf, "back": f"/admin/polls/{poll_id}"})
    assert done.status == 303 and "done=closed" in done.headers["Location"]
    async with service.db.read() as s:
        poll = await s.get(Poll, poll_id)
        assert poll is not None and poll.status == PollStatus.CLOSED
        audits = (await s.scalars(select(AuditEntry).where(AuditEntry.action == "poll.close"))).all()
        assert [a.target for a in audits] == [f"poll:{poll_id}"]
    replies = await learner.send(payload=f"poll:show:{poll_id}")
    assert "Your answers are recorded" in "\n".join(r.text for r in replies)


async def test_who_may_see_polls(service: Service, console: TestClient, person: Person) -> None:
    trainer = await person("terminal:tina", Role.TRAINER)
    other = await person("terminal:otto", Role.TRAINER, name="Otto")
    learner = await person("terminal:lee", name="Lee")
    poll_id = await make_poll(trainer, [("Anonymous question?", "Single choice", ["Yes", "No"])])
    other_cookie, _ = await session_cookie(service, await user_id_of(service, other.address))
    assert (await console.get(f"/admin/polls/{poll_id}", headers={"Cookie": other_cookie})).status == 404
    learner_cookie, _ = await session_cookie(service, await user_id_of(service, learner.address))
    assert (await console.get("/admin/polls", headers={"Cookie": learner_cookie},
                              allow_redirects=False)).status in (302, 303, 403)
    cookie, _ = await session_cookie(service, await user_id_of(service, trainer.address))
    answers = await console.get(f"/admin/polls/{poll_id}/answers.csv", headers={"Cookie": cookie})
    assert answers.status == 404  # an anonymous poll keeps nothing per person
