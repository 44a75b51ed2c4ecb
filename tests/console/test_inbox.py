"""``/admin/inbox``: FAQ hand-over tickets newest first, the conversation before one, claim / reply / close
from the web with the asker told on their channel, WhatsApp's 24-hour window said as the sender applies it,
one audit row per action, hostile text escaped."""

from __future__ import annotations

import json
import re

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.context import ManualClock
from bot.service import Service
from storage.audit import AuditEntry
from storage.faq import FaqTicket, FaqTicketMessage, TicketStatus
from storage.models import OutboxStatus, Role, User
from tests.conftest import MakeService
from tests.console.conftest import Person, user_id_of
from tests.console.hostile import NAME, QUESTION, assert_escaped
from tests.console.test_security import session_cookie
from tests.driver import RecordingSender, text_of
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.fakes.whatsapp import WhatsAppUser, onboard, outbox_rows, twilio_settings


async def ask_a_trainer(person: Person, address: str = "terminal:evil", question: str = QUESTION) -> int:
    """A learner with a hostile name talks to the bot, then hands a hostile question to a trainer; the ticket."""
    asker = await person(address, Role.LEARNER, name=NAME)
    await asker.say("Where can I buy natural dye?")
    await asker.say("talk to a trainer")
    replies = await asker.say(question)
    found = re.search(r"ticket #(\d+)", text_of(replies))
    assert found, text_of(replies)
    return int(found.group(1))


async def ticket(service: Service, ticket_id: int) -> FaqTicket:
    async with service.db.read() as session:
        found = await session.get(FaqTicket, ticket_id)
        assert found is not None
        return found


async def audit(service: Service) -> list[tuple[str, str | None, int | None]]:
    async with service.db.read() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        return [(r.action, r.target, r.actor_id) for r in rows]


async def test_claim_reply_close_from_the_web(console: TestClient, service: Service, person: Person,
                                              recorder: RecordingSender) -> None:
    ticket_id = await ask_a_trainer(person)
    await person("terminal:tom", Role.TRAINER, name="Tom")
    await person("terminal:ann", Role.TRAINER, name="Ann")
    tom, ann = await user_id_of(service, "terminal:tom"), await user_id_of(service, "terminal:ann")
    cookie, csrf = await session_cookie(service, tom)
    headers = {"Cookie": cookie}

    listing = await (await console.get("/admin/inbox", headers=headers)).text()
    assert f'id="ticket-{ticket_id}"' in listing and "Waiting for a trainer" in listing
    assert_escaped(listing, "inbox")
    page = await (await console.get(f"/admin/inbox/{ticket_id}", headers=headers)).text()
    assert_escaped(page, "ticket")
    assert "Where can I buy natural dye?" in page  # the conversation before the hand-over
    assert "Your reply goes to them now, on terminal." in page and 'id="claim"' in page

    url = f"/admin/inbox/{ticket_id}"
    before = len(recorder.to("terminal:evil"))
    claimed = await console.post(f"{url}/claim", headers=headers, allow_redirects=False,
                                 data={"csrf": csrf, "back": url})
    assert claimed.status == 303 and claimed.headers["Location"] == f"{url}?done=claimed&n={ticket_id}"
    taken = await ticket(service, ticket_id)
    assert taken.status == TicketStatus.TAKEN and taken.trainer_id == tom
    await service.outbox.drain()
    assert "A trainer is looking at your question" in text_of(recorder.to("terminal:evil")[before:])

    # Another trainer can neither claim, answer nor close it.
    other, other_csrf = await session_cookie(service, ann)
    for verb in ("claim", "reply", "close"):
        refused = await console.post(f"{url}/{verb}", headers={"Cookie": other}, allow_redirects=False,
                                     data={"csrf": other_csrf, "text": "hi"})
        assert "done=other" in refused.headers["Location"], verb
    assert "already taken" in await (await console.get(url, headers={"Cookie": other})).text()

    empty = await console.post(f"{url}/reply", headers=headers, allow_redirects=False,
                               data={"csrf": csrf, "text": "  \r\n "})
    assert "done=empty" in empty.headers["Location"]
    before = len(recorder.to("terminal:evil"))
    sent = await console.post(f"{url}/reply", headers=headers, allow_redirects=False,
                              data={"csrf": csrf, "text": "Try the market in Ban Phanom.\r\nAsk for Mrs Vone. "})
    assert "done=now" in sent.headers["Location"]
    await service.outbox.drain()
    [told] = recorder.to("terminal:evil")[before:]
    assert told.text == "A trainer answers your question:\nTry the market in Ban Phanom.\nAsk for Mrs Vone."
    assert told.kind == "relay" and [b.payload for b in told.flat_buttons] == [f"faq:back:{ticket_id}"]
    async with service.db.read() as session:
        [kept] = (await session.scalars(select(FaqTicketMessage))).all()
    assert kept.from_trainer and kept.author_id == tom
    page = await (await console.get(url, headers=headers)).text()
    assert "Ask for Mrs Vone." in page and "from-staff" in page

    closed = await console.post(f"{url}/close", headers=headers, allow_redirects=False, data={"csrf": csrf})
    assert "done=closed" in closed.headers["Location"]
    assert (await ticket(service, ticket_id)).status == TicketStatus.CLOSED
    await service.outbox.drain()
    assert "has closed your question" in text_of(recorder.to("terminal:evil")[-1:])
    late = await console.post(f"{url}/reply", headers=headers, allow_redirects=False,
                              data={"csrf": csrf, "text": "one more"})
    assert "done=is_closed" in late.headers["Location"]
    target = f"ticket:{ticket_id}"
    assert await audit(service) == [("ticket.claim", target, tom), ("ticket.reply", target, tom),
                                    ("ticket.close", target, tom)]
    assert f'id="ticket-{ticket_id}"' in await (await console.get("/admin/inbox?status=closed", headers=headers)).text()
    assert f'id="ticket-{ticket_id}"' not in await (await console.get("/admin/inbox", headers=headers)).text()


async def test_unclaimed_for_a_day_stands_out_and_paging(console: TestClient, service: Service, person: Person,
                                                         clock: ManualClock) -> None:
    first = await ask_a_trainer(person, "terminal:kham", "How do I price a scarf?")
    clock.advance(hours=25)
    second = await ask_a_trainer(person, "terminal:noy", "Can I sell online?")
    await person("terminal:tom", Role.TRAINER, name="Tom")
    cookie, _ = await session_cookie(service, await user_id_of(service, "terminal:tom"))
    body = await (await console.get("/admin/inbox", headers={"Cookie": cookie})).text()
    assert body.index(f'id="ticket-{second}"') < body.index(f'id="ticket-{first}"')  # newest first
    assert f'id="ticket-{first}" class="late"' in body and f'id="ticket-{second}" class="late"' not in body
    assert "Open for more than 24 hours without a trainer: 1" in body
    from handlers.faq import pages

    pages.PAGE_SIZE, size = 1, pages.PAGE_SIZE
    try:
        one = await (await console.get("/admin/inbox", headers={"Cookie": cookie})).text()
        assert f'id="ticket-{second}"' in one and f'id="ticket-{first}"' not in one
        assert f"before={second}" in one
        two = await (await console.get(f"/admin/inbox?before={second}", headers={"Cookie": cookie})).text()
        assert f'id="ticket-{first}"' in two
    finally:
        pages.PAGE_SIZE = size


async def whatsapp_asker(service: Service, client: TestClient, api: FakeTwilioAPI) -> tuple[WhatsAppUser, int, str]:
    noy = WhatsAppUser(client, service, api, "+8562055512345")
    await onboard(noy)
    await noy.say("talk to a trainer")
    found = re.search(r"ticket #(\d+)", await noy.say("How do I join the Friday market?"))
    assert found
    async with service.db.transaction() as session:
        tom = User(name="Tom", role=Role.TRAINER, onboarded=True, language="en")
        session.add(tom)
        await session.flush()
        ticket = await session.get(FaqTicket, int(found.group(1)))
        assert ticket is not None
        ticket.status, ticket.trainer_id = TicketStatus.TAKEN, tom.id
        tom_id = tom.id
    cookie, csrf = await session_cookie(service, tom_id)
    return noy, int(found.group(1)), f"{cookie}|{csrf}"


async def test_outside_the_window_the_reply_waits_as_the_bot_does(make_service: MakeService,
                                                                  fake_twilio: FakeTwilioAPI,
                                                                  clock: ManualClock) -> None:
    service = await make_service(**twilio_settings(fake_twilio))
    async with TestClient(TestServer(service.web_app())) as client:
        noy, ticket_id, secret = await whatsapp_asker(service, client, fake_twilio)
        cookie, csrf = secret.split("|")
        url = f"/admin/inbox/{ticket_id}"
        page = await (await client.get(url, headers={"Cookie": cookie})).text()
        assert "Your reply goes to them now, on WhatsApp." in page
        clock.advance(hours=25)
        cookie, csrf = (await session_cookie(service, (await ticket(service, ticket_id)).trainer_id or 0))
        page = await (await client.get(url, headers={"Cookie": cookie})).text()
        assert "your reply waits and goes as soon as they write to the bot again" in page
        noy.new()
        done = await client.post(f"{url}/reply", headers={"Cookie": cookie}, allow_redirects=False,
                                 data={"csrf": csrf, "text": "Bring your scarves at 8."})
        assert "done=waits" in done.headers["Location"]
        await service.outbox.drain()
        assert noy.new() == []  # held, never free-form outside the window
        held = (await outbox_rows(service, noy.address))[-1]
        assert held.status == OutboxStatus.HELD and "Bring your scarves at 8." in held.body["text"]
        text = await noy.say("menu")  # they write again: the held reply goes first
        assert text.index("Bring your scarves at 8.") < text.index("What would you like to do?")


async def test_outside_the_window_with_a_relay_template(make_service: MakeService, fake_twilio: FakeTwilioAPI,
                                                        clock: ManualClock) -> None:
    sid = "HX" + "b" * 32
    service = await make_service(**twilio_settings(fake_twilio, twilio_templates=json.dumps({"relay": sid})))
    async with TestClient(TestServer(service.web_app())) as client:
        noy, ticket_id, _ = await whatsapp_asker(service, client, fake_twilio)
        clock.advance(hours=30)
        cookie, csrf = await session_cookie(service, (await ticket(service, ticket_id)).trainer_id or 0)
        url = f"/admin/inbox/{ticket_id}"
        page = await (await client.get(url, headers={"Cookie": cookie})).text()
        assert "your reply goes as the approved template" in page
        noy.new()
        done = await client.post(f"{url}/reply", headers={"Cookie": cookie}, allow_redirects=False,
                                 data={"csrf": csrf, "text": "Bring your scarves at 8."})
        assert "done=template" in done.headers["Location"]
        await service.outbox.drain()
        [sent] = noy.new()
        assert sent.content_sid == sid and "Bring your scarves at 8." in (sent.content_variables or "")
