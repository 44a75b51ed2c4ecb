"""Data rights through the chat: /mydata (summary + JSON document), /forget with confirmation."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.context import ManualClock
from bot.service import Service
from bot.types import Reply
from storage.announcements import Broadcast, BroadcastRecipient
from storage.models import Address, LessonProgress, Outbox, OutboxStatus, User
from storage.outbox import add_message
from tests.driver import RecordingSender, text_of
from tests.fakes.whatsapp import onboard


async def test_mydata_sends_a_summary_and_the_whole_record_as_a_json_document(chat_user, service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana")
    replies = await ana.say("/mydata")
    text = text_of(replies)
    assert "Here is everything we keep about you." in text and "Name: Ana" in text and "Chats: terminal" in text
    (reply,) = [r for r in replies if r.document is not None]
    assert reply.document is not None and reply.document.key and reply.document.name == "my-data.json"
    path = service.documents.path(reply.document.key)
    assert path is not None and reply.document.url == str(path.resolve())
    export = json.loads(path.read_text())
    assert export["data"]["users"][0]["name"] == "Ana"
    assert [a["address"] for a in export["data"]["addresses"]] == ["terminal:ana"]
    assert export["data"]["outbox"], "the messages we sent are part of it"
    assert "menu" not in export["data"]["users"][0]


async def test_mydata_reaches_whatsapp_as_a_media_url_served_by_the_app(wa_user, client, fake_twilio) -> None:
    noy = wa_user()
    await onboard(noy)
    await noy.say("/mydata")
    urls = [u for m in fake_twilio.to(noy.address) for u in m.media_url]
    assert len(urls) == 1 and urls[0].startswith("https://bot.example.org/documents/")
    resp = await client.get(urls[0].removeprefix("https://bot.example.org"))
    assert resp.status == 200 and json.loads(await resp.text())["data"]["users"][0]["name"] == "Noy"
    assert (await client.get("/documents/../smce.db")).status == 404
    assert (await client.get("/documents/" + "0" * 32 + ".json")).status == 404


async def test_forget_asks_first_and_no_keeps_everything(chat_user, service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana")
    replies = await ana.say("/forget")
    assert "It cannot be undone" in text_of(replies)
    replies = await ana.press("No, keep my data")
    assert "Nothing was erased." in text_of(replies)
    # The erase button of that old question does nothing any more.
    assert "Nothing was erased." in text_of(await ana.send(payload="privacy:forget"))
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(User).where(User.name == "Ana")) == 1


async def test_forget_mid_onboarding_then_no_returns_to_the_question(chat_user) -> None:
    ana = chat_user("terminal:ana")
    await ana.say("/start")
    await ana.press("English")
    await ana.say("/forget")
    replies = await ana.press("No, keep my data")
    assert "Nothing was erased." in text_of(replies)
    assert "What is your name?" in text_of(await ana.say("/menu"))


async def test_forget_erases_the_user_cancels_their_messages_and_keeps_counts_anonymous(
        chat_user, service: Service, recorder: RecordingSender, clock: ManualClock) -> None:
    ana, bo = chat_user("terminal:ana"), chat_user("terminal:bo")
    await ana.onboard(name="Ana")
    await bo.onboard(name="Bo")
    await ana.press("Courses")
    async with service.db.transaction() as session:
        uid = await session.scalar(select(Address.user_id).where(Address.address == "terminal:ana"))
        later = add_message(session, uid, "terminal", "terminal:ana", "reminder", Reply("later").to_dict(),
                            now=clock.now())
        later.next_attempt_at = clock.now() + timedelta(hours=1)
        broadcast = Broadcast(author_id=None, text="Fair on Friday", audience={}, status="done", cursor=0,
                              targeted=1, created_at=clock.now())
        session.add(broadcast)
        await session.flush()
        session.add(BroadcastRecipient(broadcast_id=broadcast.id, user_id=uid, status="sent"))
        bid = broadcast.id

    await ana.say("/forget")
    replies = await ana.press("Yes, erase everything")
    assert "everything about you is erased" in text_of(replies)

    clock.advance(hours=2)
    await service.outbox.drain()
    assert not [r for r in recorder.to("terminal:ana") if r.text == "later"], "nothing more is sent"
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(User).where(User.name == "Ana")) == 0
        assert await session.scalar(select(func.count()).select_from(Address)
                                    .where(Address.address == "terminal:ana")) == 0
        assert await session.scalar(select(func.count()).select_from(LessonProgress)
                                    .where(LessonProgress.user_id == uid)) == 0
        statuses = set((await session.scalars(select(Outbox.status).where(Outbox.user_id == uid))).all())
        assert statuses == set()
        cancelled = (await session.scalars(select(Outbox).where(Outbox.error == "erased"))).all()
        assert [r.status for r in cancelled] == [OutboxStatus.SKIPPED] and cancelled[0].body == {"text": ""}
        kept = (await session.scalars(select(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == bid))).all()
        assert len(kept) == 1 and kept[0].user_id != uid
        stand_in = await session.get(User, kept[0].user_id)
        assert stand_in is not None and stand_in.name is None and stand_in.opted_out and not stand_in.addresses
        # Others are untouched.
        assert await session.scalar(select(func.count()).select_from(User).where(User.name == "Bo")) == 1

    # Writing again starts afresh, as a new person.
    assert "language" in text_of(await ana.say("hello")).lower()


async def test_mydata_shows_and_forget_erases_the_optional_answers(chat_user, service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana", sex="woman", age_band="25_34")
    replies = await ana.say("/mydata")
    text = text_of(replies)
    assert "Sex: Woman" in text and "Age band: 25 to 34" in text
    (reply,) = [r for r in replies if r.document is not None]
    assert reply.document is not None and reply.document.key
    path = service.documents.path(reply.document.key)
    assert path is not None
    user = json.loads(path.read_text())["data"]["users"][0]
    assert (user["sex"], user["age_band"]) == ("woman", "25_34")  # codes, as stored
    await ana.say("/forget")
    await ana.press("Yes, erase everything")
    async with service.db.read() as session:
        kept = (await session.execute(select(User.sex, User.age_band))).all()
    assert all(row == (None, None) for row in kept), kept
