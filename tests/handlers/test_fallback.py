"""The last resort answers an empty message (#22 item 11): a blank line, a WhatsApp message of spaces,
a Telegram update without text get a short hint, and the buttons on screen (and the step) stay."""

from __future__ import annotations

from bot.service import Service
from tests.driver import text_of
from tests.fakes.whatsapp import number_of, onboard

EMPTY = "I got an empty message."


def payloads(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.payload for r in replies for b in r.flat_buttons]


async def test_empty_message_gets_a_hint_and_keeps_the_screen(chat_user) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana")
    for said in ("", "   ", "\n"):
        replies = await ana.say(said)
        assert EMPTY in text_of(replies) and "menu:courses" in payloads(replies)

    screen = payloads(await ana.send(payload="menu:reminders"))
    replies = await ana.say(" ")
    assert EMPTY in text_of(replies) and payloads(replies) == screen

    await ana.send(payload="faq:ask")  # waiting for a question: still waiting after an empty message
    replies = await ana.say("")
    assert EMPTY in text_of(replies) and payloads(replies) == ["menu:home", "faq:cancel"]
    replies = await ana.say("How do I change the language?")  # then the question goes to the FAQ
    assert EMPTY not in text_of(replies) and "Type your question" not in text_of(replies)


async def test_whatsapp_message_of_spaces_gets_a_hint(wa_user, wa_service: Service) -> None:
    noy = wa_user("+8562055512345", "Noy")
    await onboard(noy)
    text = await noy.say("   ")
    assert EMPTY in text and number_of(text, "Courses") == "1"
