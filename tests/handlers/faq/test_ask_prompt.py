"""The prompts that wait for a question (for the FAQ, for a trainer) have Back and Cancel (#22 item 13),
pressed by number or by their words on the numbered-menu channels (terminal, WhatsApp through Twilio)."""

from __future__ import annotations

from sqlalchemy import select

from bot.service import Service
from handlers.faq.actions import CANCEL
from handlers.menu import HOME
from storage.faq import FaqTicket, FaqUnanswered
from storage.models import User as UserRow
from tests.driver import text_of
from tests.fakes.whatsapp import number_of, onboard


def payloads(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.payload for r in replies for b in r.flat_buttons]


async def steps(service: Service) -> list[str | None]:
    async with service.db.read() as session:
        return list((await session.scalars(select(UserRow.step))).all())


async def nothing_logged(service: Service) -> bool:
    async with service.db.read() as session:
        return ((await session.scalars(select(FaqTicket))).first() is None
                and (await session.scalars(select(FaqUnanswered))).first() is None)


async def test_terminal_prompts_have_back_and_cancel(service: Service, chat_user) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana")
    for prompt, text in (("faq:ask", "Type your question"), ("faq:human", "Type your question for a trainer")):
        replies = await ana.send(payload=prompt)
        assert text in text_of(replies)
        assert payloads(replies) == [HOME.encode(), CANCEL.encode()]
        assert [b.label for r in replies for b in r.flat_buttons] == ["Back", "Cancel"]

        replies = await ana.say("2")  # Cancel, by its number
        assert "Cancelled." in text_of(replies) and "menu:courses" in payloads(replies)
        assert await steps(service) == [None]

        await ana.send(payload=prompt)
        replies = await ana.say("1")  # Back, by its number
        assert "What would you like to do?" in text_of(replies) and "menu:courses" in payloads(replies)
        assert await steps(service) == [None]

        await ana.send(payload=prompt)
        replies = await ana.say("cancel")  # or by its word
        assert "Cancelled." in text_of(replies) and await steps(service) == [None]
    assert await nothing_logged(service)  # no question asked, no ticket opened


async def test_whatsapp_prompts_have_back_and_cancel(wa_user, wa_service: Service) -> None:
    noy = wa_user("+8562055512345", "Noy")
    await onboard(noy)
    text = await noy.say("menu")
    text = await noy.say(number_of(text, "Ask a question"))
    assert "Type your question" in text and number_of(text, "Back") == "1" and number_of(text, "Cancel") == "2"
    text = await noy.say("2")
    assert "Cancelled." in text and number_of(text, "Courses")
    text = await noy.say(number_of(text, "Talk to a trainer"))
    assert "Type your question for a trainer" in text
    text = await noy.say("Back")
    assert "What would you like to do?" in text and number_of(text, "Courses")
    assert await steps(wa_service) == [None] and await nothing_logged(wa_service)
