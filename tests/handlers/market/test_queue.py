"""The moderators' queue names listings by their id (#22 item 7): after a decision the others keep their
numbers, and the summary reads as a sentence. On the terminal (its rendering) and on WhatsApp (fake Twilio)."""

from __future__ import annotations

from bot.channels.terminal import render
from bot.context import ManualClock
from bot.service import Service
from storage.market import ListingStatus
from storage.models import Role
from tests.driver import User as ChatUser
from tests.driver import text_of
from tests.fakes.whatsapp import number_of, onboard
from tests.handlers.market.helpers import add_listing


def screen(replies: list) -> str:
    return "\n".join(render(r) for r in replies)


async def grant(service: Service, address: str) -> None:
    from datetime import UTC, datetime

    from handlers.announcements.roles import grant_role

    await grant_role(service.db, address.split(":")[0], address, Role.TRAINER, datetime.now(UTC))


async def test_pending_listings_keep_their_numbers_after_a_decision(service: Service, chat_user,
                                                                   clock: ManualClock) -> None:
    seller, trainer = chat_user("terminal:noy"), chat_user("terminal:kham")
    await seller.onboard(name="Noy")
    await trainer.onboard(name="Kham")
    await grant(service, trainer.address)
    gone = await add_listing(service, seller.address, "Old basket", clock.now(), status=ListingStatus.DELETED)
    first = await add_listing(service, seller.address, "Silk scarf", clock.now())
    clock.advance(minutes=5)
    second = await add_listing(service, seller.address, "Indigo shawl", clock.now())
    assert gone < first < second

    shown = screen(await trainer.say("/pending"))
    assert f"#{first} · from Noy" in shown and f"#{second} · from Noy" in shown
    assert "2 listings are waiting for review." in shown and "of 2" not in shown
    assert f"[1] Approve #{first}" in shown and f"[3] Approve #{second}" in shown

    replies = await trainer.press(f"Approve #{first}")
    assert "Approved: “Silk scarf”" in text_of(replies)
    shown = screen(await trainer.say("/pending"))
    assert f"#{second} · from Noy" in shown and f"#{first} ·" not in shown  # the other one keeps its number
    assert f"[1] Approve #{second}" in shown and f"[2] Reject #{second}" in shown
    assert "1 listing is waiting for review." in shown and "1–1" not in shown

    # A longer queue says which part a page shows.
    for name in ("Clay pot", "Teak bowl", "Silver ring"):
        await add_listing(service, seller.address, name, clock.now())
    shown = screen(await trainer.say("/pending"))
    assert "4 listings are waiting for review. Page 1 of 2." in shown
    shown = screen(await trainer.press("More"))
    assert "4 listings are waiting for review. Page 2 of 2." in shown and "Silver ring" in shown


async def test_reported_listings_keep_their_numbers(service: Service, chat_user, clock: ManualClock) -> None:
    seller, buyer, trainer = chat_user("terminal:noy"), chat_user("terminal:ana"), chat_user("terminal:kham")
    for user, name in ((seller, "Noy"), (buyer, "Ana"), (trainer, "Kham")):
        await user.onboard(name=name)
    await grant(service, trainer.address)
    first = await add_listing(service, seller.address, "Silk scarf", clock.now(), status=ListingStatus.ACTIVE)
    second = await add_listing(service, seller.address, "Ivory comb", clock.now(), status=ListingStatus.ACTIVE)
    for listing_id in (second, first):
        await buyer.send(payload=f"market:rep:{listing_id}:wildlife")
    shown = screen(await trainer.send(payload="market:qrep:0"))
    assert f"#{first} · reported 1 time" in shown and f"#{second} · reported 1 time" in shown
    assert "2 reported listings are waiting for review." in shown and "of 2" not in shown
    await trainer.press(f"Keep #{second}")
    shown = screen(await trainer.send(payload="market:qrep:0"))
    assert f"#{first} · reported" in shown and f"#{second} ·" not in shown
    assert f"[1] Take down #{first}" in shown and "1 reported listing is waiting for review." in shown


async def test_whatsapp_moderator_approves_by_number_the_listing_named(wa_user, wa_service: Service,
                                                                      clock: ManualClock) -> None:
    from tests.driver import RecordingSender

    seller = ChatUser(wa_service, RecordingSender(), "terminal:noy")
    wa_service.outbox.add_sender(seller.sender)
    await seller.onboard(name="Noy")
    kham = wa_user("+8562055512345", "Kham")
    await onboard(kham)
    await grant(wa_service, kham.address)
    first = await add_listing(wa_service, seller.address, "Silk scarf", clock.now())
    second = await add_listing(wa_service, seller.address, "Indigo shawl", clock.now())

    text = await kham.say("/pending")
    assert f"#{first} · from Noy" in text and "2 listings are waiting for review." in text
    text = await kham.say(number_of(text, f"Approve #{first}"))
    assert "Approved: “Silk scarf”" in text
    text = await kham.say("/pending")
    assert f"#{second} · from Noy" in text and f"#{first} ·" not in text
    assert number_of(text, f"Approve #{second}") == "1" and "1 listing is waiting for review." in text
