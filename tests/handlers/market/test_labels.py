"""Listing buttons carry the name only (#22 item 12): the terminal ("[1] …") and WhatsApp ("1. …") number
every button themselves, so "[1] 1. ផ្តិលប្រាក់…" read twice. Long names are cut between whole clusters."""

from __future__ import annotations

import re

from bot.channels.terminal import render
from bot.context import ManualClock
from bot.service import Service
from bot.text.split import is_cluster_start
from storage.market import ListingStatus
from tests.fakes.whatsapp import number_of, onboard
from tests.handlers.market.helpers import add_listing

BOWL = "ផ្តិលប្រាក់ចម្លាក់ក្បាច់ភ្ញីខ្មែរបុរាណ"  # 38 characters: a silver bowl with old Khmer carving
SCARF = "Silk scarf"
DOUBLE = re.compile(r"(\[\d+\]|^\d+\.) \d+\. ", re.MULTILINE)


def screen(replies: list) -> str:
    return "\n".join(render(r) for r in replies)


async def test_terminal_my_listings_and_search_results_number_once(service: Service, chat_user,
                                                                  clock: ManualClock) -> None:
    seller = chat_user("terminal:sokha")
    await seller.onboard(name="Sokha", language="km", craft="silver", country="KH")
    await add_listing(service, seller.address, BOWL, clock.now(), status=ListingStatus.ACTIVE,
                      description="Silver bowl")
    clock.advance(minutes=1)
    await add_listing(service, seller.address, SCARF, clock.now(), status=ListingStatus.ACTIVE)

    mine = await seller.send(payload="market:mine")
    shown = screen(mine)
    labels = [b.label for r in mine for b in r.flat_buttons]
    assert not DOUBLE.search(shown), shown
    bowl = next(label for label in labels if label.startswith(BOWL[:10]))
    assert bowl.endswith("…") and len(bowl) <= 30 and is_cluster_start(BOWL, len(bowl) - 1)
    assert SCARF in labels

    shown = screen(await seller.say("/search silver"))
    assert f"[1] {bowl}" in shown and not DOUBLE.search(shown), shown
    shown = screen(await seller.send(payload="market:b:-:-:0"))
    assert f"[1] {SCARF}" in shown and f"[2] {bowl}" in shown and not DOUBLE.search(shown)


async def test_whatsapp_menus_number_listings_once(wa_user, wa_service: Service, clock: ManualClock) -> None:
    noy = wa_user("+8562055512345", "Noy")
    await onboard(noy)
    await add_listing(wa_service, noy.address, SCARF, clock.now(), status=ListingStatus.ACTIVE)
    clock.advance(minutes=1)
    await add_listing(wa_service, noy.address, BOWL, clock.now(), status=ListingStatus.ACTIVE)

    text = await noy.say("marketplace")
    text = await noy.say(number_of(text, "My listings"))
    assert number_of(text, SCARF) and not DOUBLE.search(text), text
    text = await noy.say("/search silk scarf")
    assert number_of(text, SCARF) == "1" and not DOUBLE.search(text), text
    text = await noy.say(number_of(text, SCARF))
    assert f"*{SCARF}*" in text and "₭150,000" in text  # the listing opened, its card titled
