"""Marketplace end to end: a seller on WhatsApp, a buyer and a moderator on Telegram, through the chat driver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.context import ManualClock
from bot.service import Service
from bot.types import Media, Reply
from storage.market import Listing, ListingStatus, MarketDraft, MarketPhoto, PhotoStatus, Relay
from storage.models import Address, Role, User
from tests.conftest import MakeService
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser

SELLER = "whatsapp:+8562055512345"
BUYER = "telegram:1001"
TRAINER = "telegram:2002"
JPEG = b"\xff\xd8\xff\xe0" + b"silk" * 500
JPEG2 = b"\xff\xd8\xff\xe0" + b"loom" * 500


@dataclass
class FakeFetcher:
    """Stands in for a channel's ``fetch_media``: bytes by URL or file id."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    async def fetch_media(self, media: Media) -> bytes:
        ref = media.url or media.file_id or ""
        self.fetched.append(ref)
        return self.files[ref]


@dataclass
class World:
    service: Service
    senders: dict[str, RecordingSender]
    fetchers: dict[str, FakeFetcher]

    def user(self, address: str) -> ChatUser:
        return ChatUser(self.service, self.senders[address.split(":", 1)[0]], address)

    async def set_role(self, address: str, role: str) -> None:
        async with self.service.db.transaction() as session:
            row = (await session.scalars(select(Address).where(Address.address == address))).one()
            await session.execute(update(User).where(User.id == row.user_id).values(role=role))

    async def jobs(self) -> dict[str, int]:
        done = await self.service.scheduler.run_once()
        await self.service.outbox.drain()
        return done

    async def listings(self) -> list[Listing]:
        async with self.service.db.read() as session:
            return list((await session.scalars(select(Listing).order_by(Listing.id))).all())

    async def draft(self, address: str) -> dict[str, Any] | None:
        async with self.service.db.read() as session:
            row = (await session.scalars(select(Address).where(Address.address == address))).one()
            draft = (await session.scalars(select(MarketDraft).where(MarketDraft.user_id == row.user_id))).first()
            return dict(draft.data) if draft is not None else None


async def make_world(make_service: MakeService, **settings: Any) -> World:
    service = await make_service(**settings)
    senders = {}
    for channel in ("telegram", "whatsapp", "terminal"):
        senders[channel] = RecordingSender(channel=channel)
        service.outbox.add_sender(senders[channel])
    fetchers = {"whatsapp": FakeFetcher(), "telegram": FakeFetcher()}
    service.deps.extras["channels"] = fetchers
    return World(service, senders, fetchers)


@pytest.fixture
async def world(make_service: MakeService) -> World:
    return await make_world(make_service)


def photos_of(replies: list[Reply]) -> list[Media]:
    return [r.photo for r in replies if r.photo is not None]


def wa_photo(url: str, size: int | None = None, kind: str = "photo", ctype: str = "image/jpeg") -> tuple[Media, ...]:
    return (Media(kind, url=url, content_type=ctype, size=size),)


async def post_listing(world: World, seller: ChatUser, name: str = "Silk scarf", photo_url: str = "https://api.twilio.com/m/1",
                       description: str = "Hand-woven silk scarf, natural indigo dye, 180 x 40 cm.") -> None:
    world.fetchers["whatsapp"].files[photo_url] = JPEG
    await seller.send(payload="market:home")
    await seller.press("market:post")
    await seller.say(name)
    await seller.say(description)
    await seller.say("150k")
    await seller.send(payload="market:cat:weaving")
    await seller.send(media=wa_photo(photo_url))
    await seller.send(payload="market:photos:done")
    await seller.say("Ban Xang Khong, Luang Prabang")
    await seller.send(payload="market:contact:relay")
    await seller.send(payload="market:confirm")


async def test_post_moderate_browse_search_relay_sold(world: World) -> None:
    seller, buyer, trainer = world.user(SELLER), world.user(BUYER), world.user(TRAINER)
    await seller.onboard(name="Noy", country="LA")
    await buyer.onboard(name="Ana", country="TH")
    await trainer.onboard(name="Kham", country="LA")
    await world.set_role(TRAINER, Role.TRAINER)

    replies = await seller.say("/menu")
    assert "market:home" in [b.payload for r in replies for b in r.flat_buttons]
    await seller.press("market:home")
    replies = await seller.press("market:post")
    assert "product name" in text_of(replies)
    await seller.say("Silk scarf")
    # A 5,000-character description: a clear message, nothing changes.
    replies = await seller.say("x" * 5000)
    assert "too long" in text_of(replies)
    replies = await seller.say("y" * 600)
    assert "600 characters" in text_of(replies) and "500" in text_of(replies)
    assert (await world.draft(SELLER)) == {"name": "Silk scarf"}
    await seller.say("Hand-woven silk scarf with natural indigo dye, 180 x 40 cm.")
    # A price that is not one: asked again with an example in the seller's currency.
    replies = await seller.say("cheap")
    assert "could not read" in text_of(replies) and "150,000" in text_of(replies)
    replies = await seller.say("150k")
    assert "Which category" in text_of(replies)
    draft = await world.draft(SELLER)
    assert draft is not None and draft["price"] == "150000" and draft["currency"] == "LAK"
    replies = await seller.press("market:cat:weaving")
    assert "photos" in text_of(replies)
    # Not a photo, too big, wrong type: clear messages, draft unchanged.
    replies = await seller.send(media=wa_photo("https://api.twilio.com/m/v", kind="video", ctype="video/mp4"))
    assert "a video, not a photo" in text_of(replies)
    replies = await seller.send(media=wa_photo("https://api.twilio.com/m/big", size=50 * 1024 * 1024))
    assert "too big" in text_of(replies) and "5 MB" in text_of(replies)
    replies = await seller.send(media=wa_photo("https://api.twilio.com/m/doc", kind="document",
                                               ctype="application/pdf"))
    assert "not a photo" in text_of(replies)
    assert "photos" not in (await world.draft(SELLER) or {})
    world.fetchers["whatsapp"].files["https://api.twilio.com/m/1"] = JPEG
    replies = await seller.send(media=wa_photo("https://api.twilio.com/m/1"))
    assert "1 photo received" in text_of(replies)

    # Leave halfway; coming back resumes the draft where it was.
    await seller.say("menu")
    await seller.press("market:home")
    replies = await seller.press("market:post")
    assert "unfinished listing “Silk scarf”" in text_of(replies)
    replies = await seller.press("market:resume")
    assert "Where can buyers pick it up" in text_of(replies)
    await seller.say("Ban Xang Khong, Luang Prabang")
    replies = seller.last
    labels = [b.label for r in replies for b in r.flat_buttons]
    assert "WhatsApp number" in labels and not any("Telegram" in label for label in labels)
    replies = await seller.press("market:contact:relay")
    assert "as buyers will see it" in text_of(replies) and "Silk scarf" in text_of(replies)
    # Edit one field from the preview, then publish.
    await seller.press("market:edit")
    replies = await seller.press("market:edit:price")
    assert "Keep as it is" in [b.label for r in replies for b in r.flat_buttons]
    replies = await seller.say("175,000")
    assert "as buyers will see it" in text_of(replies) and "175,000" in text_of(replies)
    replies = await seller.press("market:confirm")
    assert "moderator" in text_of(replies)
    [listing] = await world.listings()
    assert listing.status == ListingStatus.PENDING and listing.price == "175000"
    assert await world.draft(SELLER) is None

    # The photo is copied into our media store by a job (handlers never download).
    await world.jobs()
    assert world.fetchers["whatsapp"].fetched == ["https://api.twilio.com/m/1"]
    async with world.service.db.read() as session:
        photo = (await session.scalars(select(MarketPhoto))).one()
    assert photo.status == PhotoStatus.STORED and photo.key and world.service.media.path(photo.key) is not None

    # The trainer got the listing to check; a buyer does not see it yet.
    to_trainer = trainer.inbox()
    assert "New listing to check, from Noy" in text_of(to_trainer)
    await buyer.send(payload="market:b:-:-:0")
    assert "No listings here yet" in text_of(buyer.last)
    # A learner cannot approve.
    replies = await buyer.send(payload=f"market:mod:ok:{listing.id}")
    assert "Only moderators" in text_of(replies)
    trainer.last = to_trainer
    replies = await trainer.press("Approve")
    assert "Approved" in text_of(replies)
    assert "now in the marketplace" in text_of(seller.inbox())

    # The buyer on Telegram browses by category and sees the WhatsApp photo (our stored copy).
    await buyer.send(payload="market:home")
    replies = await buyer.press("market:cats")
    assert any("Weaving and textiles (1)" == b.label for r in replies for b in r.flat_buttons)
    replies = await buyer.press("market:b:weaving:-:0")
    assert "Silk scarf" in text_of(replies) and "1–1 of 1" in text_of(replies)
    assert photos_of(replies) == [Media("photo", key=photo.key)]
    replies = await buyer.send(payload="market:places")
    replies = await buyer.press("market:pl:LA")
    assert any(b.label.startswith("Luang Prabang") for r in replies for b in r.flat_buttons)
    replies = await buyer.press("Luang Prabang")
    assert "Silk scarf" in text_of(replies)

    # Search with typos, mixed case, no accents.
    await buyer.send(payload="market:search")
    replies = await buyer.say("slik scraf")
    assert "Silk scarf" in text_of(replies)
    replies = await buyer.say("INDIGO")
    assert "Silk scarf" in text_of(replies)
    replies = await buyer.say("ceramic teapot")
    assert "Nothing found" in text_of(replies)

    # Contact by relay: neither side sees the other's number.
    await buyer.say("slik scarf")
    replies = await buyer.press("Silk scarf")
    replies = await buyer.press("Contact the seller")
    assert "Type your message" in text_of(replies)
    await buyer.say("Hello! Can you ship to Bangkok?")
    to_seller = seller.inbox()
    assert "Ana asks about your listing “Silk scarf”" in text_of(to_seller)
    assert "Can you ship to Bangkok?" in text_of(to_seller)
    assert "1001" not in text_of(to_seller) and to_seller[-1].kind == "relay"
    seller.last = to_seller
    await seller.press("Reply")
    await seller.say("Yes, 3 days by post.")
    to_buyer = buyer.inbox()
    assert "The seller of “Silk scarf” answers" in text_of(to_buyer) and "3 days by post" in text_of(to_buyer)
    assert "8562055512345" not in text_of(to_buyer) and to_buyer[-1].kind == "relay"
    buyer.last = to_buyer
    await buyer.press("Reply")
    await buyer.say("Great, I'll take it.")
    assert "I'll take it" in text_of(seller.inbox())
    async with world.service.db.read() as session:
        relay = (await session.scalars(select(Relay))).one()
    assert relay.messages == 3

    # Reports reach moderators.
    await buyer.send(payload=f"market:v:{listing.id}")
    await buyer.press("Report")
    replies = await buyer.press(f"market:rep:{listing.id}:wildlife")
    assert "moderator will look" in text_of(replies)
    assert "Reported: Wildlife products" in text_of(trainer.inbox())

    # Mark sold: gone from browse and search.
    await seller.send(payload="market:mine")
    await seller.press("Silk scarf")
    replies = await seller.press("Mark as sold")
    assert "marked as sold" in text_of(replies)
    await buyer.send(payload="market:search")
    replies = await buyer.say("silk scarf")
    assert "Nothing found" in text_of(replies)
    replies = await buyer.send(payload="market:b:-:-:0")
    assert "No listings here yet" in text_of(replies)


async def test_reject_with_reason_then_edit_and_resubmit(world: World) -> None:
    seller, trainer = world.user(SELLER), world.user(TRAINER)
    await seller.onboard(country="LA")
    await trainer.onboard(name="Kham")
    await world.set_role(TRAINER, Role.ADMIN)
    await post_listing(world, seller)
    trainer.last = trainer.inbox()
    await trainer.press("Reject")
    replies = await trainer.say("Please show the whole scarf in the photo.")
    assert "seller was told" in text_of(replies)
    told = text_of(seller.inbox())
    assert "was not accepted" in told and "whole scarf" in told
    [listing] = await world.listings()
    assert listing.status == ListingStatus.REJECTED
    # Edit the photo from My listings and send it again.
    world.fetchers["whatsapp"].files["https://api.twilio.com/m/2"] = JPEG2
    await seller.send(payload=f"market:m:{listing.id}")
    await seller.press("Edit")
    await seller.press("market:edit")
    await seller.press("market:edit:photos")
    replies = await seller.send(media=wa_photo("https://api.twilio.com/m/2"))
    assert "1 photo received" in text_of(replies)
    replies = await seller.press("Done")
    assert "as buyers will see it" in text_of(replies)
    await seller.press("Save changes")
    [listing] = await world.listings()
    assert listing.status == ListingStatus.PENDING and len(listing.photos) == 1
    assert "Changed listing to check" in text_of(trainer.inbox())


async def test_auto_approve_expiry_reminder_and_renew(make_service: MakeService, clock: ManualClock) -> None:
    world = await make_world(make_service, listing_auto_approve=True, listing_days=60)
    seller, buyer = world.user(SELLER), world.user(BUYER)
    await seller.onboard(country="LA")
    await buyer.onboard(name="Ana")
    await post_listing(world, seller, name="Ceramic tea set")
    assert "in the marketplace until" in text_of(seller.last)
    [listing] = await world.listings()
    assert listing.status == ListingStatus.ACTIVE

    await buyer.send(payload="market:search")
    assert "Ceramic tea set" in text_of(await buyer.say("ceramic"))

    clock.advance(days=56)
    await world.jobs()
    assert "leaves the marketplace" not in text_of(seller.inbox())
    clock.advance(days=2)  # three days before the end: one reminder
    await world.jobs()
    reminder = seller.inbox()
    assert "leaves the marketplace" in text_of(reminder) and reminder[-1].kind == "reminder"
    await world.jobs()
    assert seller.inbox() == []  # reminded once
    clock.advance(days=3)
    await world.jobs()
    assert "has expired" in text_of(seller.inbox())
    [listing] = await world.listings()
    assert listing.status == ListingStatus.EXPIRED
    await buyer.send(payload="market:search")
    assert "Nothing found" in text_of(await buyer.say("ceramic"))

    seller.last = reminder  # the reminder's button
    replies = await seller.press("Renew")
    assert "stays in the marketplace until" in text_of(replies)
    await buyer.send(payload="market:search")
    assert "Ceramic tea set" in text_of(await buyer.say("ceramic"))

    # Delete.
    await seller.send(payload=f"market:del:{listing.id}")
    replies = await seller.press("Yes, delete")
    assert "was deleted" in text_of(replies)
    [listing] = await world.listings()
    assert listing.status == ListingStatus.DELETED


async def test_telegram_photo_reuses_file_id_and_whatsapp_gets_our_copy(world: World) -> None:
    seller, buyer = world.user("telegram:3003"), world.user("whatsapp:+6681234567")
    await seller.onboard(country="TH")
    await seller.send("hi", username="weaver_th")  # the username Telegram reports
    await buyer.onboard(name="Bee")
    world.fetchers["telegram"].files["AgACphoto1"] = JPEG2
    await seller.send(payload="market:post")
    await seller.say("ผ้าไหมมัดหมี่")  # Thai: mudmee silk
    await seller.say("ผ้าไหมทอมือจากสุรินทร์ silk ikat")
    replies = await seller.say("2,500")
    assert "Which category" in text_of(replies)
    await seller.send(payload="market:cat:weaving")
    await seller.send(media=(Media("photo", file_id="AgACphoto1", content_type="image/jpeg", size=90_000),))
    await seller.send(payload="market:photos:done")
    await seller.say("Surin")
    replies = seller.last
    assert "Telegram @weaver_th" in [b.label for r in replies for b in r.flat_buttons]
    await seller.send(payload="market:contact:telegram")
    replies = await seller.press("Publish")
    assert "moderator" in text_of(replies)
    # A moderator joins later and approves by the listing's button payload.
    [listing] = await world.listings()
    trainer = world.user(TRAINER)
    await trainer.onboard(name="Kham")
    await world.set_role(TRAINER, Role.TRAINER)
    await trainer.send(payload=f"market:mod:ok:{listing.id}")
    await world.jobs()

    # Thai search without spaces, and mixed with English.
    await buyer.send(payload="market:search")
    replies = await buyer.say("ไหมมัดหมี่")
    assert "ผ้าไหมมัดหมี่" in text_of(replies)
    replies = await buyer.say("silk มัดหมี่")
    assert "ผ้าไหมมัดหมี่" in text_of(replies)
    [photo] = photos_of(replies)
    assert photo.key and photo.file_id is None  # WhatsApp buyer: our copy
    tg_buyer = world.user("telegram:4004")
    await tg_buyer.onboard(name="Tee")
    replies = await tg_buyer.send(payload=f"market:v:{listing.id}")
    [photo] = photos_of(replies)
    assert photo.file_id == "AgACphoto1" and photo.key  # Telegram re-uses its file_id (our copy: the data saver)
    replies = await tg_buyer.press("Contact the seller")
    assert "@weaver_th" in text_of(replies) and "https://t.me/weaver_th" in text_of(replies)


async def test_fetch_media_from_fake_telegram(make_service: MakeService, fake_telegram: Any) -> None:
    from tests.channels.test_telegram import telegram_service

    fake_telegram.files["AgACphoto9"] = JPEG
    service = await telegram_service(make_service, fake_telegram)
    assert "telegram" in service.deps.extras["channels"]
    data = await service.telegram.fetch_media(Media("photo", file_id="AgACphoto9"))
    assert data == JPEG
    from bot.media import MediaRejected

    with pytest.raises(MediaRejected):
        await service.telegram.fetch_media(Media("photo", file_id="AgACbig", size=50 * 1024 * 1024))
