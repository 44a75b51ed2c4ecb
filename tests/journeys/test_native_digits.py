"""Native digits wherever a number is asked (issue 19): a WhatsApp user who types every menu number, quiz
answer and price in Lao, Khmer, Thai or Myanmar digits gets exactly what a user typing 0-9 gets; a code
with native digits works; and a Zawgyi-typed name and question arrive as Unicode."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.service import Service
from storage import links
from storage.market import MarketDraft
from tests.driver import User, text_of, user_at
from tests.fakes.whatsapp import number_of

ZEROS = {"lo": "\u0ed0", "km": "\u17e0", "th": "\u0e50", "my": "\u1040"}


def native(number: str, script: str) -> str:
    return "".join(chr(ord(ZEROS[script]) + int(d)) if d.isdigit() else d for d in number)


@pytest.mark.parametrize("script", list(ZEROS))
async def test_whatsapp_menus_and_quiz_in_native_digits(script: str, wa_user: Any, wa_service: Service) -> None:
    noy = wa_user()

    async def pick(text: str, label: str) -> str:
        return str(await noy.say(native(number_of(text, label), script)))

    text = await noy.say("Sabaidee")
    text = await pick(text, "English")
    assert "What is your name?" in text
    text = await noy.say(noy.name)
    text = await pick(text, "Weaving and textiles")
    text = await noy.say(native("1", script))  # Laos, first in the list
    text = await pick(text, "Skip")
    text = await pick(text, "Skip")
    text = await pick(text, "Full photos")
    assert f"All set, {noy.name}" in text
    text = await pick(await noy.say("/menu"), "Courses")
    text = await pick(text, "Selling basics")
    text = await pick(text, "Start")
    assert "Lesson 1 of 3" in text
    text = await pick(text, "Materials and time")
    assert "✅ Yes: both cost you money." in text


PRICES = {
    "lo": ("໑໕໐.໐໐໐", "150000"),  # Lao digits, dot groups as Lao and Vietnamese write them
    "km": ("១៥០,០០០", "150000"),
    "th": ("๑๕๐ ๐๐๐", "150000"),  # a space between the groups
    "my": ("၁၅၀,၀၀၀", "150000"),
}


@pytest.mark.parametrize("script", list(PRICES))
async def test_a_price_in_native_digits_and_groups(script: str, chat_user: Any, service: Service) -> None:
    seller = chat_user(f"terminal:seller-{script}")
    await seller.onboard(name="Noy", country="LA")
    await seller.send(payload="market:home")
    await seller.press("market:post")
    await seller.say("Silk scarf")
    await seller.say("Hand-woven silk scarf, natural indigo dye, 180 x 40 cm.")
    typed, amount = PRICES[script]
    replies = await seller.say(typed)
    assert "Which category" in text_of(replies), text_of(replies)
    row = await user_at(service, seller.address)
    async with service.db.read() as session:
        draft = (await session.scalars(select(MarketDraft).where(MarketDraft.user_id == row.id))).one()
    assert str(draft.data["price"]) == amount


async def test_a_link_code_typed_with_khmer_digits(chat_user: Any, telegram: Any, service: Service,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links, "new_code", lambda: "AB23C4")  # a code with digits in it
    ana = chat_user("terminal:ana")
    await ana.onboard(name="Ana")
    assert "link AB23C4" in text_of(await ana.say("/link"))
    other = User(service, telegram, "telegram:42")
    await other.say("link AB២៣C៤")  # typed with Khmer digits
    assert "linked with another app" in text_of(ana.inbox())


async def test_a_zawgyi_name_is_stored_in_unicode(chat_user: Any, service: Service) -> None:
    min_ = chat_user("terminal:min")
    await min_.onboard(name="ျမင့္ျမင့္", language="my", country="MM")
    assert (await user_at(service, "terminal:min")).name == "မြင့်မြင့်"
