"""Marketplace search finds a listing whatever confusable spelling it was typed in (#22 item 3): Khmer
subscript TA ្ត and subscript DA ្ដ are drawn alike, and many Khmer keyboards type the other one."""

from __future__ import annotations

from sqlalchemy import update

from bot.context import ManualClock
from bot.service import Service
from storage.market import Listing, ListingStatus
from tests.driver import text_of
from tests.fakes.whatsapp import onboard
from tests.handlers.market.helpers import add_listing

BOWL_TA = "ផ្តិលប្រាក់ចម្លាក់"  # silver bowl, carved: written with ្ត (COENG TA)
BOWL_DA = BOWL_TA.replace("\u17d2\u178f", "\u17d2\u178a")  # the same on screen, typed with ្ដ (COENG DA)
SEARCH_TA, SEARCH_DA = "ផ្តិល", "ផ្ដិល"


async def test_terminal_khmer_search_finds_either_spelling(service: Service, chat_user, clock: ManualClock) -> None:
    assert SEARCH_TA != SEARCH_DA and BOWL_TA != BOWL_DA
    seller = chat_user("terminal:sokha")
    buyer = chat_user("terminal:dara")
    await seller.onboard(name="Sokha", language="km", craft="metal", country="KH")
    await buyer.onboard(name="Dara", language="km", craft="other", country="KH")
    await add_listing(service, seller.address, BOWL_TA, clock.now(), status=ListingStatus.ACTIVE,
                      description="Silver")
    assert BOWL_TA in text_of(await buyer.say(f"/search {SEARCH_DA}"))
    assert BOWL_TA in text_of(await buyer.say(f"/search {SEARCH_TA}"))
    await buyer.send(payload="market:search")
    assert BOWL_TA in text_of(await buyer.say(SEARCH_DA))


async def test_listing_saved_before_the_fold_is_found_too(service: Service, chat_user, clock: ManualClock) -> None:
    """``search_text`` is stored with each listing: one saved with ្ដ before spellings were folded is
    still found by ្ត (the index folds what it reads)."""
    seller = chat_user("terminal:sokha")
    await seller.onboard(name="Sokha", language="km", craft="metal", country="KH")
    listing_id = await add_listing(service, seller.address, BOWL_DA, clock.now(), status=ListingStatus.ACTIVE,
                                   description="Silver")
    async with service.db.transaction() as session:  # as an older version stored it: not folded
        await session.execute(update(Listing).where(Listing.id == listing_id).values(search_text=BOWL_DA))
    assert BOWL_DA in text_of(await seller.say(f"/search {SEARCH_TA}"))


async def test_whatsapp_khmer_search_finds_either_spelling(wa_user, wa_service: Service,
                                                           clock: ManualClock) -> None:
    noy = wa_user("+8562055512345", "Noy")
    await onboard(noy)
    await add_listing(wa_service, noy.address, BOWL_DA, clock.now(), status=ListingStatus.ACTIVE,
                      description="Silver")
    text = await noy.say(f"/search {SEARCH_TA}")
    assert BOWL_DA in text, text
