"""Background work of the marketplace: copying photos into our media store, reminders and expiry.

Handlers never download: they store the platform's reference (Telegram ``file_id``, Twilio URL) and
``copy_photos`` fetches the bytes through the channel (``fetch_media``), checks them and keeps a copy, so a
photo sent on one channel can be shown on every other. ``expire_listings`` reminds sellers a few days
before a listing runs out and takes it out of the marketplace when it does.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs import Job, JobContext
from bot.media import MediaRejected, MediaStore
from bot.outbox import enqueue
from bot.types import Button, Media, Reply, rows
from handlers.market.actions import RENEW
from handlers.market.common import REMIND_BEFORE_DAYS, search_index, t_for
from storage.market import (
    ListingStatus,
    MarketPhoto,
    PhotoStatus,
    listings_run_out,
    listings_to_remind,
    photos_to_copy,
)
from storage.models import User
from storage.users import preferred_address

log = logging.getLogger(__name__)

PHOTO_BATCH = 20
PHOTO_ATTEMPTS = 5


async def copy_photos(jc: JobContext) -> int:
    store = jc.deps.extras.get("media")
    if not isinstance(store, MediaStore):
        return 0
    fetchers = jc.deps.extras.get("channels") or {}
    async with jc.db.read() as session:
        pending = await photos_to_copy(session, limit=PHOTO_BATCH)
    done = 0
    for photo in pending:
        key: str | None = None
        error: str | None = None
        rejected: str | None = None
        fetcher = fetchers.get(photo.channel)
        if fetcher is None:
            error = f"no way to fetch media from {photo.channel}"
        else:
            media = Media("photo", file_id=photo.file_id, url=photo.url, content_type=photo.content_type,
                          size=photo.size)
            try:
                store.check(photo.content_type, photo.size)
                key = store.save(await fetcher.fetch_media(media))
            except MediaRejected as exc:
                rejected = exc.reason
            except Exception as exc:  # network trouble: try again on the next run
                log.warning("could not fetch photo %s: %r", photo.id, exc)
                error = repr(exc)[:200]
        async with jc.db.transaction() as session:
            row = await session.get(MarketPhoto, photo.id)
            if row is None or row.status != PhotoStatus.PENDING:
                continue
            row.attempts += 1
            if key is not None:
                row.key, row.status, row.error = key, PhotoStatus.STORED, None
            elif rejected is not None or row.attempts >= PHOTO_ATTEMPTS:
                row.status, row.error = PhotoStatus.FAILED, (rejected or error or "")[:200]
                await tell_owner(jc, session, row.user_id, rejected)
            else:
                row.error = error
        done += 1
    return done


async def tell_owner(jc: JobContext, session: AsyncSession, user_id: int, reason: str | None) -> None:
    user = await session.get(User, user_id)
    address = preferred_address(user) if user is not None else None
    if user is None or address is None:
        return
    t = t_for(user)
    if reason == "size":
        text = t.gettext("One of your photos is over 5 MB, so I could not keep it. Please send a smaller one "
                         "(My listings → Edit → Photos).")
    elif reason == "type":
        text = t.gettext("One of your photos is not a JPEG, PNG or WebP picture, so I could not keep it. Please "
                         "send another one (My listings → Edit → Photos).")
    else:
        text = t.gettext("I could not download one of your photos. Please send it again (My listings → Edit → "
                         "Photos).")
    enqueue(session, user.id, address.channel, address.address, Reply(text, kind="reply"), now=jc.deps.clock.now())


async def expire_listings(jc: JobContext) -> int:
    now = jc.deps.clock.now()
    done = 0
    async with jc.db.transaction() as session:
        for listing in await listings_to_remind(session, now, timedelta(days=REMIND_BEFORE_DAYS), limit=500):
            listing.reminded_at = now
            seller = await session.get(User, listing.seller_id)
            if seller is not None:
                t = t_for(seller)
                text = t.gettext("⏰ Your listing “{name}” leaves the marketplace on {date}. Renew it to keep it "
                                 "there.", name=listing.name, date=t.datetime(listing.expires_at or now))
                done += _notify(session, seller, text, t.gettext("Renew"), listing.id, now)
        for listing in await listings_run_out(session, now, limit=500):
            listing.status = ListingStatus.EXPIRED
            listing.updated_at = now
            seller = await session.get(User, listing.seller_id)
            if seller is not None:
                t = t_for(seller)
                text = t.gettext("Your listing “{name}” has expired and is no longer shown. Renew it to put it "
                                 "back.", name=listing.name)
                done += _notify(session, seller, text, t.gettext("Renew"), listing.id, now)
    return done


def _notify(session: AsyncSession, seller: User, text: str, label: str, listing_id: int, now: datetime) -> int:
    address = preferred_address(seller)
    if address is None:
        return 0
    reply = Reply(text, rows(Button(label, RENEW.encode(listing_id))), kind="reminder")
    enqueue(session, seller.id, address.channel, address.address, reply, now=now)
    return 1


async def warm_search(jc: JobContext) -> int:
    """Build the search index at start (not on the first user's search) and keep it current."""
    async with jc.db.read() as session:
        await search_index(jc.deps.extras).refresh(session)
    return 0


JOBS = [Job("market-photos", 10.0, copy_photos), Job("market-expiry", 900.0, expire_listings),
        Job("market-search", 60.0, warm_search, each_worker=True)]
