"""``/admin/listings``: the moderation queue with photos, approve / reject (picked or typed reason) / hide /
restore, the seller told in their language through the outbox, one audit row per decision."""

from __future__ import annotations

import io
import re

import pytest
from aiohttp.test_utils import TestClient
from PIL import Image
from sqlalchemy import func, select

from bot.i18n import translator
from bot.service import Service
from handlers.market.moderation import REJECT_REASONS
from storage.audit import AuditEntry
from storage.market import Listing, ListingStatus, MarketPhoto
from storage.models import Role
from tests.console.conftest import Person, user_id_of
from tests.console.hostile import NAME, TITLE, assert_escaped
from tests.console.test_security import session_cookie
from tests.driver import RecordingSender, text_of
from tests.handlers.market.test_market import FakeFetcher, World, post_listing

SELLER = "whatsapp:+8562055512345"
PHOTO_URL = "https://api.twilio.com/m/photo1"


def jpeg(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(service: Service, recorder: RecordingSender) -> World:
    senders = {"terminal": recorder, "whatsapp": RecordingSender(channel="whatsapp"),
               "telegram": RecordingSender(channel="telegram")}
    for channel in ("whatsapp", "telegram"):
        service.outbox.add_sender(senders[channel])
    fetchers = {"whatsapp": FakeFetcher(), "telegram": FakeFetcher()}
    service.deps.extras["channels"] = fetchers
    return World(service, senders, fetchers)


async def seller_with_listing(world: World, name: str = TITLE, language: str = "en", photo: bytes | None = None,
                              url: str = PHOTO_URL) -> int:
    """A seller on WhatsApp posts a listing with a photo through chat; the photo-copy job runs; its id."""
    seller = world.user(SELLER)
    if not seller.sender.to(SELLER):
        await seller.onboard(name=NAME, language=language, country="LA")
    await post_listing(world, seller, name=name, photo_url=url)
    world.fetchers["whatsapp"].files[url] = photo or jpeg()
    await world.jobs()
    listings = await world.listings()
    assert listings[-1].status == ListingStatus.PENDING
    return listings[-1].id


async def trainer_cookie(service: Service, person: Person) -> tuple[str, str, int]:
    await person("terminal:tom", Role.TRAINER, name="Tom")
    uid = await user_id_of(service, "terminal:tom")
    cookie, csrf = await session_cookie(service, uid)
    return cookie, csrf, uid


async def audit_rows(service: Service, action: str | None = None) -> list[AuditEntry]:
    async with service.db.read() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list((await session.scalars(query)).all())


async def listing(service: Service, listing_id: int) -> Listing:
    async with service.db.read() as session:
        found = await session.get(Listing, listing_id)
        assert found is not None
        return found


async def test_queue_shows_photos_and_approve_tells_the_seller(console: TestClient, service: Service, world: World,
                                                                person: Person) -> None:
    listing_id = await seller_with_listing(world)
    cookie, csrf, tom = await trainer_cookie(service, person)
    headers = {"Cookie": cookie}
    body = await (await console.get("/admin/listings", headers=headers)).text()
    assert f'id="listing-{listing_id}"' in body and "₭175,000" not in body and "₭150,000" in body
    assert "Language: English" in body  # the seller's language
    assert_escaped(body, "queue")
    async with service.db.read() as session:
        photo = (await session.scalars(select(MarketPhoto))).one()
    assert f"/admin/listings/photos/{photo.id}/thumb" in body

    thumb = await console.get(f"/admin/listings/photos/{photo.id}/thumb", headers=headers)
    assert thumb.status == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    small = Image.open(io.BytesIO(await thumb.read()))
    assert max(small.size) == 240 and small.size == (240, 180)
    assert (service.settings.media_dir / "thumbs").is_dir()  # kept for next time
    full = await console.get(f"/admin/listings/photos/{photo.id}", headers=headers)
    assert await full.read() == world.fetchers["whatsapp"].files[PHOTO_URL]
    assert "nosniff" in full.headers["X-Content-Type-Options"]
    missing = await console.get("/admin/listings/photos/99999/thumb", headers=headers)
    assert missing.status == 200 and missing.headers["Content-Type"].startswith("image/svg+xml")

    detail = await (await console.get(f"/admin/listings/{listing_id}", headers=headers)).text()
    assert_escaped(detail, "listing page")
    assert "Hand-woven silk scarf" in detail

    seller_inbox = world.senders["whatsapp"]
    before = len(seller_inbox.to(SELLER))
    response = await console.post(f"/admin/listings/{listing_id}/approve", headers=headers, allow_redirects=False,
                                  data={"csrf": csrf, "back": "/admin/listings"})
    assert response.status == 303 and response.headers["Location"] == f"/admin/listings?done=approved&n={listing_id}"
    approved = await listing(service, listing_id)
    assert approved.status == ListingStatus.ACTIVE and approved.moderator_id == tom and approved.moderated_at
    await service.outbox.drain()
    told = seller_inbox.to(SELLER)[before:]
    assert "is now in the marketplace" in text_of(told) and told[-1].kind == "moderation"
    [row] = await audit_rows(service)
    assert (row.action, row.target, row.actor_id, row.actor) == ("listing.approve", f"listing:{listing_id}", tom, "Tom")
    page = await (await console.get(response.headers["Location"], headers=headers)).text()
    assert f"Listing #{listing_id} is in the marketplace" in page

    again = await console.post(f"/admin/listings/{listing_id}/approve", headers=headers, allow_redirects=False,
                               data={"csrf": csrf})
    assert again.headers["Location"] == f"/admin/listings?done=handled&n={listing_id}"
    assert len(await audit_rows(service)) == 1  # nothing happened, nothing recorded


async def test_reject_with_a_picked_reason_in_the_sellers_language(console: TestClient, service: Service,
                                                                   world: World, person: Person) -> None:
    listing_id = await seller_with_listing(world, name="Silk scarf", language="lo")
    cookie, csrf, tom = await trainer_cookie(service, person)
    headers = {"Cookie": cookie}
    url = f"/admin/listings/{listing_id}/reject"
    nothing = await console.post(url, headers=headers, allow_redirects=False, data={"csrf": csrf, "reason": "bogus"})
    assert "done=reason" in nothing.headers["Location"]
    long = await console.post(url, headers=headers, allow_redirects=False, data={"csrf": csrf, "text": "x" * 301})
    assert "done=long" in long.headers["Location"]
    assert (await listing(service, listing_id)).status == ListingStatus.PENDING and await audit_rows(service) == []

    before = len(world.senders["whatsapp"].to(SELLER))
    done = await console.post(url, headers=headers, allow_redirects=False, data={"csrf": csrf, "reason": "photos"})
    assert "done=rejected" in done.headers["Location"]
    lao = translator("lo")
    reason = lao.gettext(REJECT_REASONS["photos"])
    rejected = await listing(service, listing_id)
    assert rejected.status == ListingStatus.REJECTED and rejected.reject_reason == reason
    assert rejected.moderator_id == tom
    await service.outbox.drain()
    [told] = world.senders["whatsapp"].to(SELLER)[before:]
    assert told.text == lao.gettext("Your listing “{name}” was not accepted. Reason: {reason}\nYou can change it "
                                    "and send it again from My listings.", name="Silk scarf", reason=reason)
    assert told.text != translator("en").gettext("Your listing “{name}” was not accepted. Reason: {reason}\nYou can "
                                                 "change it and send it again from My listings.", name="Silk scarf",
                                                 reason=reason)
    [row] = await audit_rows(service)
    assert row.action == "listing.reject" and row.target == f"listing:{listing_id}" and '"photos"' in (row.detail or "")


async def test_typed_reason_hide_restore_and_search(console: TestClient, service: Service, world: World,
                                                    person: Person) -> None:
    first = await seller_with_listing(world, name="Indigo scarf")
    second = await seller_with_listing(world, name="Teak bowl", url="https://api.twilio.com/m/photo2",
                                       photo=jpeg(300, 900))
    cookie, csrf, tom = await trainer_cookie(service, person)
    headers = {"Cookie": cookie}
    await console.post(f"/admin/listings/{first}/reject", headers=headers,
                       data={"csrf": csrf, "text": "  Please   add the size. ", "reason": "photos"})
    assert (await listing(service, first)).reject_reason == "Please add the size."  # typed wins, tidied
    await console.post(f"/admin/listings/{second}/approve", headers=headers, data={"csrf": csrf})

    found = await (await console.get("/admin/listings/search?q=teak", headers=headers)).text()
    assert "Teak bowl" in found and "Indigo scarf" not in found and f'id="hide-{second}"' in found
    by_id = await (await console.get(f"/admin/listings/search?q=%23{second}", headers=headers)).text()
    assert "Teak bowl" in by_id
    back = "/admin/listings/search?q=teak"
    hidden = await console.post(f"/admin/listings/{second}/hide", headers=headers, allow_redirects=False,
                                data={"csrf": csrf, "back": back})
    assert hidden.headers["Location"] == f"/admin/listings/search?q=teak&done=hidden&n={second}"
    assert (await listing(service, second)).status == ListingStatus.HIDDEN
    only_hidden = await (await console.get("/admin/listings/search?status=hidden", headers=headers)).text()
    assert "Teak bowl" in only_hidden and f'id="restore-{second}"' in only_hidden
    assert "Teak bowl" not in await (await console.get("/admin/listings/search?status=active", headers=headers)).text()
    evil = await console.post(f"/admin/listings/{second}/restore", headers=headers, allow_redirects=False,
                              data={"csrf": csrf, "back": "//evil.example/x"})
    assert evil.headers["Location"].startswith("/admin/listings?done=restored")  # never off the console
    assert (await listing(service, second)).status == ListingStatus.ACTIVE
    service.clock.advance(days=61)  # type: ignore[attr-defined]
    cookie, csrf = await session_cookie(service, tom)  # the old session went idle meanwhile
    headers = {"Cookie": cookie}
    await console.post(f"/admin/listings/{second}/hide", headers=headers, data={"csrf": csrf})
    await console.post(f"/admin/listings/{second}/restore", headers=headers, data={"csrf": csrf})
    assert (await listing(service, second)).status == ListingStatus.EXPIRED  # its time ran out meanwhile
    actions = [r.action for r in await audit_rows(service)]
    assert actions == ["listing.reject", "listing.approve", "listing.hide", "listing.restore", "listing.hide",
                       "listing.restore"]
    async with service.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 6


async def test_chat_decisions_record_the_moderator_too(service: Service, world: World) -> None:
    listing_id = await seller_with_listing(world, name="Silk scarf")
    trainer = world.user("telegram:2002")
    await trainer.onboard(name="Kham")
    await world.set_role("telegram:2002", Role.TRAINER)
    await trainer.send(payload=f"market:mod:ok:{listing_id}")
    approved = await listing(service, listing_id)
    assert approved.status == ListingStatus.ACTIVE and approved.moderator_id == await user_id_of(service,
                                                                                                "telegram:2002")


async def test_learners_cannot_moderate(console: TestClient, service: Service, world: World, person: Person) -> None:
    listing_id = await seller_with_listing(world, name="Silk scarf")
    await person("terminal:lea", Role.LEARNER, name="Lea")
    cookie, csrf = await session_cookie(service, await user_id_of(service, "terminal:lea"))
    response = await console.post(f"/admin/listings/{listing_id}/approve", headers={"Cookie": cookie},
                                  data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/signin"
    assert (await listing(service, listing_id)).status == ListingStatus.PENDING
    assert re.search("listing", str(await audit_rows(service))) is None
