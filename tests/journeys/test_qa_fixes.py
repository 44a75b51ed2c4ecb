"""Regression tests for a QA pass: the moderation queue, the photo step on the terminal, error replies that
keep their buttons, one price formatter, unambiguous reminder times, and the language menu."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

import bot.i18n
import bot.prices
from bot.i18n import LANGUAGES, Translator
from bot.prices import CURRENCIES, example_price, parse_price
from bot.types import Media, Reply
from handlers.reminders import parse_time
from storage.market import Listing, ListingReport, ListingStatus
from storage.models import Role
from tests.conftest import MakeService
from tests.driver import text_of
from tests.handlers.market.test_market import SELLER, TRAINER, World, make_world, post_listing


def labels(replies: list[Reply]) -> list[str]:
    return [b.label for r in replies for b in r.flat_buttons]


def payloads(replies: list[Reply]) -> list[str]:
    return [b.payload for r in replies for b in r.flat_buttons]


# --- 1. the moderation queue ----------------------------------------------------------------------


async def test_listings_sent_before_there_was_a_moderator_wait_in_a_queue(make_service: MakeService) -> None:
    world: World = await make_world(make_service)
    seller, trainer, buyer = world.user(SELLER), world.user(TRAINER), world.user("telegram:3003")
    await seller.onboard(name="Noy", country="LA")
    await buyer.onboard(name="Ana", country="TH")
    for n in range(4):  # nobody is a moderator yet: nobody is told
        await post_listing(world, seller, name=f"Scarf {n}", photo_url=f"https://api.twilio.com/m/{n}")
    assert [lst.status for lst in await world.listings()] == [ListingStatus.PENDING] * 4

    # A learner has no queue.
    replies = await buyer.say("/pending")
    assert "Only moderators" in text_of(replies)
    replies = await buyer.send(payload="market:home")
    assert not any(p.startswith("market:queue") for p in payloads(replies))

    await trainer.onboard(name="Kham", country="LA")
    await world.set_role(TRAINER, Role.TRAINER)
    assert "market:queue:0" in payloads(await trainer.send(payload="trainer:tools"))
    assert "To review (4)" in labels(await trainer.send(payload="market:home"))

    replies = await trainer.say("/pending")
    text = text_of(replies)
    assert "4 listings are waiting for review. Page 1 of 2." in text
    assert "Scarf 0" in text and "Scarf 2" in text and "Scarf 3" not in text  # oldest first, a page of 3
    assert "#1 · from Noy" in text
    assert labels(replies[-1:])[:2] == ["Approve #1", "Reject #1"]
    replies = await trainer.press("More")
    assert "Page 2 of 2." in text_of(replies) and "Scarf 3" in text_of(replies)

    # Approve the first from the queue; the seller is told.
    await trainer.say("/pending")
    replies = await trainer.press("Approve #1")
    assert "Approved: “Scarf 0”" in text_of(replies)
    assert "now in the marketplace" in text_of(seller.inbox())
    # Reject one that was never published: it was rejected, not "taken out".
    replies = await trainer.send(payload="market:queue:0")
    assert "3 listings are waiting for review." in text_of(replies)  # ids stay: Scarf 1 is still #2
    assert "#2 · from Noy" in text_of(replies) and "#1 ·" not in text_of(replies)
    await trainer.press("Reject #2")
    replies = await trainer.say("Blurry photo")
    assert "“Scarf 1” was rejected; the seller was told why." in text_of(replies)
    assert "taken out" not in text_of(replies)
    statuses = {lst.name: lst.status for lst in await world.listings()}
    assert statuses == {"Scarf 0": ListingStatus.ACTIVE, "Scarf 1": ListingStatus.REJECTED,
                        "Scarf 2": ListingStatus.PENDING, "Scarf 3": ListingStatus.PENDING}


async def test_reports_wait_in_the_queue_until_handled(make_service: MakeService) -> None:
    world = await make_world(make_service, listing_auto_approve=True)
    seller, trainer, buyer = world.user(SELLER), world.user(TRAINER), world.user("telegram:3004")
    await seller.onboard(name="Noy", country="LA")
    await buyer.onboard(name="Ana", country="TH")
    await post_listing(world, seller, name="Ivory comb")
    await post_listing(world, seller, name="Silk scarf", photo_url="https://api.twilio.com/m/2")
    ivory, scarf = await world.listings()
    for listing in (ivory, scarf):
        await buyer.send(payload=f"market:rep:{listing.id}:wildlife")

    await trainer.onboard(name="Kham", country="LA")
    await world.set_role(TRAINER, Role.ADMIN)
    replies = await trainer.say("/pending")
    assert "No listings are waiting for review" in text_of(replies)
    assert "2 reported listings are waiting for review" in text_of(replies)
    replies = await trainer.press("Reports (2)")
    assert "#1 · reported 1 time: Wildlife products" in text_of(replies)
    assert labels(replies[-1:])[:4] == ["Take down #1", "Keep #1", "Take down #2", "Keep #2"]
    await trainer.press("Take down #1")
    replies = await trainer.say("Wildlife products are not allowed")
    assert "“Ivory comb” was taken out" in text_of(replies)  # it was in the marketplace
    await trainer.send(payload="market:qrep:0")
    replies = await trainer.press("Keep #2")  # the Silk scarf keeps its number
    assert "“Silk scarf” stays" in text_of(replies)
    replies = await trainer.send(payload="market:qrep:0")
    assert "No reports are waiting for review" in text_of(replies)
    async with world.service.db.read() as session:
        left = list((await session.scalars(select(ListingReport.listing_id))).all())
    assert left == [ivory.id]  # the taken-down listing keeps its report; the kept one's are cleared


# --- 2. the photo step and error replies ----------------------------------------------------------


async def start_listing(user: Any) -> None:
    await user.send(payload="market:home")
    await user.press("market:post")


async def test_terminal_can_skip_photos_but_whatsapp_cannot(make_service: MakeService) -> None:
    world = await make_world(make_service)
    term, seller = world.user("terminal:tom"), world.user(SELLER)
    await term.onboard(name="Tom", country="KH")
    await start_listing(term)
    await term.say("Clay pot")
    await term.say("A small clay pot, fired in a wood kiln.")
    await term.say("40000")
    replies = await term.press("market:cat:ceramics")
    assert "terminal chat can't send pictures" in text_of(replies)
    assert "Skip photos (terminal preview)" in labels(replies)
    replies = await term.say("here is my photo")
    assert "Skip photos (terminal preview)" in labels(replies)
    replies = await term.press("Skip photos (terminal preview)")
    assert "Where can buyers pick it up" in text_of(replies)
    await term.say("Kampong Chhnang")
    await term.press("market:contact:relay")
    replies = await term.press("market:confirm")
    assert "moderator" in text_of(replies)
    [listing] = await world.listings()
    assert listing.photos == [] and listing.status == ListingStatus.PENDING

    # On WhatsApp photos stay required, and the prompt says how to send one.
    await seller.onboard(name="Noy", country="LA")
    await start_listing(seller)
    await seller.say("Silk scarf")
    await seller.say("Hand-woven silk.")
    await seller.say("150k")
    replies = await seller.press("market:cat:weaving")
    assert "tap 📎" in text_of(replies) and not any("Skip" in label for label in labels(replies))
    replies = await seller.send(payload="market:photos:skip")
    assert "at least one photo" in text_of(replies)
    draft = await world.draft(SELLER)
    assert draft is not None and "photos" not in draft and "no_photos" not in draft


async def test_error_replies_keep_the_buttons(make_service: MakeService) -> None:
    world = await make_world(make_service)
    seller = world.user(SELLER)
    await seller.onboard(name="Noy", country="KH")
    await start_listing(seller)
    replies = await seller.say("x" * 90)
    assert "90 characters" in text_of(replies) and "market:cancel" in payloads(replies)
    await seller.say("Clay pot")
    replies = await seller.say("y" * 600)
    assert "600 characters" in text_of(replies) and "market:cancel" in payloads(replies)
    await seller.say("A clay pot.")
    replies = await seller.say("cheap")
    assert "could not read" in text_of(replies) and "market:cancel" in payloads(replies)
    assert "40,000" in text_of(replies) and ".00" not in text_of(replies)  # riel without minor digits
    # A typed "1" presses Cancel (which asks first); it does not become the price.
    replies = await seller.say("1")
    assert "Delete “Clay pot” for good?" in text_of(replies)
    draft = await world.draft(SELLER)
    assert draft is not None and "price" not in draft
    # Editing from the preview: the error keeps "Keep as it is" too.
    await seller.press("market:resume")
    await seller.say("40000")
    await seller.press("market:cat:ceramics")
    world.fetchers["whatsapp"].files["https://api.twilio.com/m/p"] = b"\xff\xd8\xff\xe0pot"
    await seller.send(media=(Media("photo", url="https://api.twilio.com/m/p", content_type="image/jpeg"),))
    await seller.press("market:photos:done")
    await seller.say("Kampong Chhnang")
    await seller.press("market:contact:relay")
    await seller.press("market:edit")
    await seller.press("market:edit:name")
    replies = await seller.say("z" * 81)
    assert labels(replies) == ["Keep as it is", "Cancel"]
    replies = await seller.say("1")
    assert "as buyers will see it" in text_of(replies) and "Clay pot" in text_of(replies)


# --- 3. one price formatter -----------------------------------------------------------------------


def test_prices_use_the_translator_price() -> None:
    assert bot.prices.format_price is bot.i18n.format_price  # one implementation
    for language in LANGUAGES:
        t = Translator(language)
        for currency in CURRENCIES:
            shown = example_price(currency, t)
            assert shown == t.price(bot.prices.EXAMPLES[currency], currency)
            parsed = parse_price(shown, currency)
            assert parsed is not None and parsed[1] == currency, (language, shown)
    assert example_price("KHR", "en") == "៛40,000"
    assert example_price("LAK", "lo") == "₭150.000"
    assert example_price("KHR", "km") == "40,000៛"
    assert not any(example_price(c, "en").endswith(".00") for c in ("VND", "IDR", "MMK", "LAK", "KHR"))
    assert Translator("en").price(Decimal("12.50"), "USD").endswith("12.50")


# --- 4. reminder times ----------------------------------------------------------------------------


def test_parse_time() -> None:
    assert parse_time("7:00") == (7, 0, True)
    assert parse_time("18.30") == (18, 30, True)
    assert parse_time("6:30") == (6, 30, True)
    assert parse_time("7pm") == (19, 0, True)
    assert parse_time("12 am") == (0, 0, True)
    assert parse_time("๗:๔๕") == (7, 45, True)  # Thai digits
    assert parse_time("19") == (19, 0, False)
    for bad in ("25:00", "7:75", "13pm", "soon", ""):
        assert parse_time(bad) is None


async def test_reminder_time_is_unambiguous(chat_user: Any) -> None:
    ana = chat_user("terminal:rem")
    await ana.onboard(country="LA")
    await ana.say("/reminders")
    replies = await ana.press("Every day")
    text = text_of(replies)
    assert "like 6:30 or 18:00" in text and "0 to 23" not in text
    assert labels(replies) == ["Morning (07:00)", "Noon (12:00)", "Evening (19:00)", "Back"]
    # "7" is no button here: it is asked about, never taken as button 7.
    replies = await ana.say("7")
    assert "Did you mean 07:00?" in text_of(replies) and labels(replies) == ["07:00", "Back"]
    replies = await ana.say("1")
    assert "every day at 07:00" in text_of(replies)
    await ana.say("/reminders")
    await ana.press("Every day")
    replies = await ana.say("7:00 pm")
    assert "every day at 19:00" in text_of(replies)
    await ana.say("/reminders")
    await ana.press("Every day")
    replies = await ana.say("2")  # a number on screen presses that button (Noon), as everywhere else
    assert "every day at 12:00" in text_of(replies)


# --- 5. the language menu -------------------------------------------------------------------------


async def test_language_menu_keeps_its_order_and_understands_names(chat_user: Any) -> None:
    order = [lang.native_name for lang in LANGUAGES.values()]
    noy = chat_user("terminal:lang", language_hint="lo-LA")
    replies = await noy.say("/start")
    assert labels(replies)[0] == "ພາສາລາວ"  # during onboarding, the hint first
    replies = await noy.say("ລາວ")  # typed, in Lao
    assert Translator("lo").gettext("What is your name?") in text_of(replies)
    await noy.say("Noy")
    await noy.send(payload="onb:craft:weaving")
    await noy.send(payload="onb:country:LA")
    await noy.send(payload="onb:sex:skip")
    await noy.send(payload="onb:age:skip")
    for _ in range(2):
        replies = await noy.say("/language")
        assert labels(replies) == order  # the same numbers every time
    await noy.say("5")
    replies = await noy.say("/language")
    assert labels(replies) == order
    for typed, code in (("khmer", "km"), ("ខ្មែរ", "km"), ("Thai", "th"), ("vietnamese", "vi"),
                        ("Tiếng Việt", "vi"), ("indonesia", "id"), ("Melayu", "ms"), ("burmese", "my"),
                        ("myanmar", "my"), ("filipino", "fil"), ("Tagalog", "fil"), ("lao", "lo"),
                        ("English", "en")):
        await noy.say("/language")
        replies = await noy.say(typed)
        assert Translator(code).gettext("Language changed to {language}.",
                                        language=LANGUAGES[code].native_name) in text_of(replies), typed
    # Outside the language menu a language's name is not a language change.
    replies = await noy.say("thai")
    assert "Language changed" not in text_of(replies)


async def test_unknown_word_in_language_step_asks_again(chat_user: Any) -> None:
    user = chat_user("terminal:lang2")
    await user.say("/start")
    replies = await user.say("klingon")
    assert "choose your language" in text_of(replies).lower()
    replies = await user.say("tagalog")
    assert Translator("fil").gettext("What is your name?") in text_of(replies)


async def test_pending_listing_is_not_reported_as_taken_out(make_service: MakeService) -> None:
    world = await make_world(make_service)
    seller, trainer = world.user(SELLER), world.user(TRAINER)
    await seller.onboard(name="Noy", country="LA")
    await trainer.onboard(name="Kham", country="LA")
    await world.set_role(TRAINER, Role.TRAINER)
    await post_listing(world, seller)
    trainer.last = trainer.inbox()
    await trainer.press("Reject")
    replies = await trainer.say("No price tag on the photo")
    assert "was rejected" in text_of(replies) and "taken out" not in text_of(replies)
    async with world.service.db.read() as session:
        listing = (await session.scalars(select(Listing))).one()
    assert listing.status == ListingStatus.REJECTED and listing.reject_reason == "No price tag on the photo"
