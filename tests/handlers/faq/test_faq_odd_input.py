"""Odd input to the FAQ (#22 items 3 and 11), through the chat driver on terminal and WhatsApp addresses:
a long message asking two things gets "did you mean" with both (matched by its parts), never "I don't
know"; an emoji mid-conversation keeps the screen instead of "Welcome back"; greetings and thanks get
a word back; a question typed with the other Khmer spelling of a subscript is still answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.service import Service
from storage.faq import FaqTicket, FaqUnanswered
from tests.conftest import MakeService, content_with_faq
from tests.driver import RecordingSender, User, text_of

FAQ = """
- id: sell-online
  topic: online-selling
  questions:
    en: ["How do I start selling my crafts online?", "open an online shop", "I want to sell online",
         "sell my products on the internet"]
  answer:
    en: Start with one channel you already use, such as a Facebook page.
- id: set-price
  topic: pricing
  questions:
    en: ["How should I set the price of my products?", "how much should I charge"]
  answer:
    en: Add up materials, your hours at a fair wage, and a margin.
- id: product-photos
  topic: online-selling
  questions:
    en: ["How do I take good photos of my products?"]
  answer:
    en: Use daylight near a window and a plain background.
- id: register-business
  topic: registration
  questions:
    en: ["How do I register my business?"]
  answer:
    en: Go to the business registration office of your province.
- id: km-trainer
  topic: bot
  questions:
    en: ["talk to a trainer"]
    km: ["គ្រូបណ្តុះបណ្តាល"]
  answer:
    en: Press Talk to a trainer.
    km: ចុច «និយាយជាមួយគ្រូ»។
- id: km-trainer-course
  topic: bot
  questions:
    en: ["Is there a course for trainers?"]
    km: ["វគ្គបណ្ដុះបណ្ដាលគ្រូ"]
  answer:
    en: Not yet.
    km: មិនទាន់មានទេ។
- id: km-language
  topic: bot
  questions:
    en: ["How do I change the language?"]
    km: ["ប្តូរភាសា"]
  answer:
    en: Send /language.
    km: ផ្ញើ /language ។
- id: oos-weather
  topic: out-of-scope
  questions:
    en: ["What is the weather tomorrow?"]
"""

LONG = ("Hello, I am Noy and I weave silk scarves with my sisters. I want to sell my scarves online but "
        "I am not sure how to set a price for them. Thank you very much for any help")
WA = "whatsapp:+8562055512345"
TERMINAL = "terminal:noy"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    return content_with_faq(tmp_path, FAQ)


@pytest.fixture
async def svc(make_service: MakeService, content_dir: Path) -> Service:
    return await make_service(content_dir=content_dir)


def person(svc: Service, address: str) -> User:
    sender = RecordingSender(channel=address.split(":", 1)[0])
    svc.outbox.add_sender(sender)
    return User(svc, sender, address)


def payloads(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.payload for r in replies for b in r.flat_buttons]


@pytest.mark.parametrize("address", [TERMINAL, WA])
async def test_long_message_offers_what_its_parts_ask(svc: Service, address: str) -> None:
    noy = person(svc, address)
    await noy.onboard(name="Noy")
    replies = await noy.say(LONG)
    shown = payloads(replies)
    assert "Did you mean" in text_of(replies) and "don't know" not in text_of(replies)
    assert any(p.startswith("faq:show:sell-online:") for p in shown), shown
    assert any(p.startswith("faq:show:set-price:") for p in shown), shown
    assert "Was this helpful?" not in text_of(replies)  # offered, never answered outright
    # Choosing one answers it (by number on the numbered-menu channels).
    number = str(next(i for i, p in enumerate(shown, 1) if p.startswith("faq:show:set-price:")))
    assert "fair wage" in text_of(await noy.say(number))


async def test_long_chatter_is_not_offered_anything(svc: Service) -> None:
    noy = person(svc, TERMINAL)
    await noy.onboard(name="Noy")
    replies = await noy.say("My cat is sick and the weather is very hot today, I went to the river with my "
                            "family and we ate noodles and sticky rice")
    assert "Did you mean" not in text_of(replies) and "don't know the answer" in text_of(replies)


@pytest.mark.parametrize("address", [TERMINAL, WA])
async def test_emoji_mid_conversation_keeps_the_screen(svc: Service, address: str) -> None:
    noy = person(svc, address)
    await noy.onboard(name="Noy")
    replies = await noy.say("🙂")  # right after onboarding
    assert "Welcome back" not in text_of(replies) and "What would you like to do?" in text_of(replies)
    assert "menu:courses" in payloads(replies)
    screen = payloads(await noy.send(payload="menu:reminders"))
    for said in ("👍", "🙏🙏", "ok"):
        replies = await noy.say(said)
        assert "Welcome back" not in text_of(replies) and "don't know" not in text_of(replies)
        assert payloads(replies) == screen  # the reminders' buttons, numbered as before
    replies = await noy.say("1")  # still the reminders' "Every day", not the main menu's first item
    assert "menu:courses" not in payloads(replies) and any(p.startswith("rem:") for p in payloads(replies))


async def test_greetings_and_thanks_get_a_word_back(svc: Service) -> None:
    noy = person(svc, TERMINAL)
    await noy.onboard(name="Noy")
    replies = await noy.say("Hello!")
    assert "Hello, Noy!" in text_of(replies) and "menu:courses" in payloads(replies)
    replies = await noy.say("thank you")
    assert "You're welcome, Noy!" in text_of(replies) and "Welcome back" not in text_of(replies)


@pytest.mark.parametrize("address", [TERMINAL, WA])
async def test_emoji_at_the_question_prompts_asks_again(svc: Service, address: str) -> None:
    noy = person(svc, address)
    await noy.onboard(name="Noy")
    await noy.send(payload="faq:ask")
    replies = await noy.say("🤔")
    assert "Type your question" in text_of(replies) and "don't know" not in text_of(replies)
    await noy.send(payload="faq:human")
    replies = await noy.say("🙏")
    assert "Type your question for a trainer" in text_of(replies)
    async with svc.db.read() as session:
        assert (await session.scalars(select(FaqTicket))).first() is None
        assert (await session.scalars(select(FaqUnanswered))).first() is None


@pytest.mark.parametrize("address", ["terminal:sokha", "whatsapp:+85512345678"])
async def test_khmer_question_with_the_other_subscript_is_answered(svc: Service, address: str) -> None:
    """្ដ and ្ត are drawn alike: "trainer" typed with ្ដ used to be answered with the entry spelled with
    ្ដ (a course for trainers), and "how do I change the language" with ្ដ only got "did you mean"."""
    sokha = person(svc, address)
    await sokha.onboard(name="Sokha", language="km", country="KH")
    replies = await sokha.say("គ្រូបណ្ដុះបណ្ដាល")  # typed with COENG DA; the entry has COENG TA
    assert "«និយាយជាមួយគ្រូ»" in text_of(replies), text_of(replies)
    replies = await sokha.say("តើប្ដូរភាសាយ៉ាងម៉េច")
    assert "/language" in text_of(replies) and any(p.startswith("faq:fb:") for p in payloads(replies))
