"""Regressions found by walking through the bot as real people would (terminal and WhatsApp, typed numbers)."""

from __future__ import annotations

from decimal import Decimal

from bot.types import Reply
from storage.models import Role
from tests.conftest import MakeService
from tests.driver import text_of
from tests.handlers.market.test_market import SELLER, make_world, post_listing

ANA = "terminal:ana"
KHMER_SELLER = "whatsapp:+85512345678"


def labels(replies: list[Reply]) -> list[str]:
    return [b.label for r in replies for b in r.flat_buttons]


async def test_help_in_a_flow_keeps_the_typed_numbers(make_service: MakeService) -> None:
    """After "help", "1" used to reach the FAQ ("I don't know") instead of the button on screen."""
    world = await make_world(make_service)
    ana = world.user(ANA)
    await ana.onboard(name="Noy", country="LA")
    await ana.send(payload="menu:courses")
    replies = await ana.say("help")
    assert "/progress" in text_of(replies)
    assert labels(replies) and labels(replies)[0] == labels(ana.last)[0]
    replies = await ana.say("1")
    assert "short lessons" in text_of(replies)
    assert "don't know the answer" not in text_of(replies)


async def test_stray_number_gets_the_menu_not_a_trainer_ticket(make_service: MakeService) -> None:
    """A number out of range (or with no buttons on screen) went to the FAQ, and "Ask a trainer" then
    made a ticket whose question was "8"."""
    world = await make_world(make_service)
    ana = world.user(ANA)
    await ana.onboard(name="Noy", country="LA")
    await ana.send(payload="menu:reminders")
    replies = await ana.press("rem:freq:weekly")
    days = labels(replies)
    assert len(days) == 8 and days[-1] == "Back"  # seven days, then Back (#22 item 13)
    replies = await ana.say("9")
    assert "did not understand" in text_of(replies)
    assert "don't know the answer" not in text_of(replies)
    assert labels(replies) == days  # the same choices, still numbered the same
    replies = await ana.say("3")
    assert "At what time?" in text_of(replies)
    await ana.say("menu")
    replies = await ana.say("42")  # nothing numbered 42: the menu again, no FAQ
    assert "did not understand" in text_of(replies) and "Courses" in labels(replies)


async def test_cancel_asks_before_throwing_away_a_draft(make_service: MakeService) -> None:
    """Cancel is the only button while typing a field, so a typed "1" discarded the whole draft at once."""
    world = await make_world(make_service)
    seller = world.user(SELLER)
    await seller.onboard(name="Noy", country="LA")
    await seller.send(payload="market:home")
    await seller.press("market:post")
    await seller.say("Silk scarf")
    replies = await seller.say("1")  # Cancel, by number
    assert "Silk scarf" in text_of(replies) and "Yes, delete" in labels(replies)
    assert await world.draft(SELLER) == {"name": "Silk scarf"}
    replies = await seller.press("No")
    assert "Describe it" in text_of(replies)
    await seller.press("market:cancel")
    replies = await seller.press("Yes, delete")
    assert "discarded" in text_of(replies)
    assert await world.draft(SELLER) is None


async def test_price_example_has_no_minor_digits_for_riel(make_service: MakeService) -> None:
    """The price prompt said "40,000.00៛" (CLDR's two digits for KHR) while listings show "150,000៛"."""
    world = await make_world(make_service)
    seller = world.user(KHMER_SELLER)
    await seller.onboard(name="Sokha", language="km", craft="ceramics", country="KH")
    await seller.send(payload="market:home")
    await seller.press("market:post")
    await seller.say("ចានដីឥដ្ឋ")
    replies = await seller.say("ចានដីឥដ្ឋពណ៌ត្នោត")
    assert "40,000៛" in text_of(replies) and ".00" not in text_of(replies)
    replies = await seller.say("ថោក")  # not a price: the example again
    assert "40,000៛" in text_of(replies) and ".00" not in text_of(replies)
    await seller.say("150,000 ៛")
    assert Decimal((await world.draft(KHMER_SELLER) or {}).get("price") or 0) == 150000


async def test_buttons_pushed_to_another_user_can_be_typed(make_service: MakeService) -> None:
    """A moderator on WhatsApp/terminal got "[1] Approve [2] Reject" but "1" did nothing: only the
    buttons of one's own replies were remembered for typed numbers."""
    world = await make_world(make_service)
    seller, trainer = world.user(SELLER), world.user("terminal:kru")
    await seller.onboard(name="Noy", country="LA")
    await trainer.onboard(name="Kham", country="LA")
    await world.set_role("terminal:kru", Role.TRAINER)
    await post_listing(world, seller)
    pushed = trainer.inbox()
    assert "New listing to check" in text_of(pushed) and "Approve" in labels(pushed)
    replies = await trainer.say("1")
    assert "Approved" in text_of(replies)
    assert labels(replies)  # and a way on from there
    assert "now in the marketplace" in text_of(seller.inbox())


async def test_stop_and_start_keep_the_buttons(make_service: MakeService) -> None:
    world = await make_world(make_service)
    ana = world.user(ANA)
    await ana.onboard(name="Noy", country="LA")
    await ana.say("menu")
    replies = await ana.say("STOP")
    assert "no more announcements" in text_of(replies) and "Courses" in labels(replies)
    replies = await ana.say("START")
    assert "Welcome back" in text_of(replies) and "Courses" in labels(replies)
    replies = await ana.say("1")
    assert "don't know the answer" not in text_of(replies)


async def test_link_code_has_a_way_back(make_service: MakeService) -> None:
    world = await make_world(make_service)
    ana = world.user(ANA)
    await ana.onboard(name="Noy", country="LA")
    replies = await ana.send(payload="link:new")
    assert "link code" in text_of(replies) and labels(replies) == ["Main menu"]
    replies = await ana.say("1")
    assert "What would you like to do?" in text_of(replies)

