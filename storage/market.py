"""Tables of the market feature (declared on storage.models.Base).

- ``market_drafts``: one listing being written (or edited) per seller, kept when they leave halfway;
- ``market_listings``: listings with their moderation / life-cycle status and a precomputed,
  normalised ``search_text`` for search;
- ``market_photos``: photos as received (a Telegram ``file_id`` or a Twilio URL) and, once a job has
  copied the bytes, the key of our own copy in the media store;
- ``market_reports``: users' reports of prohibited content;
- ``market_relays``: buyer ↔ seller conversations relayed through the bot (neither sees the other's number).

The queries the marketplace's handlers and jobs need are named functions at the end of this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Select, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import is_postgres
from storage.models import Base, User, utcnow


class ListingStatus:
    PENDING = "pending"  # waiting for a moderator
    ACTIVE = "active"
    REJECTED = "rejected"
    SOLD = "sold"
    EXPIRED = "expired"
    DELETED = "deleted"
    HIDDEN = "hidden"  # taken out of the marketplace from the console, until restored


class PhotoStatus:
    PENDING = "pending"  # our copy not made yet
    STORED = "stored"
    FAILED = "failed"


class MarketDraft(Base):
    __tablename__ = "market_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    listing_id: Mapped[int | None] = mapped_column(Integer)  # set when editing a published listing
    step: Mapped[str | None] = mapped_column(String(64))  # where to resume
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Listing(Base):
    __tablename__ = "market_listings"
    __table_args__ = (
        Index("ix_market_listings_browse", "status", "created_at"),
        Index("ix_market_listings_place", "status", "country", "province_key"),
        Index("ix_market_listings_category", "status", "category", "created_at"),
        Index("ix_market_listings_expiry", "status", "expires_at"),
        Index("ix_market_listings_updated", "updated_at"),  # the search index's catch-up (market_search)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    price: Mapped[str] = mapped_column(String(40))  # a Decimal as text
    currency: Mapped[str] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    province: Mapped[str | None] = mapped_column(String(100))
    province_key: Mapped[str | None] = mapped_column(String(100))  # casefolded, for grouping
    location: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(16))  # telegram | whatsapp | relay
    photos: Mapped[list[Any]] = mapped_column(default=list)  # market_photos ids, in order
    status: Mapped[str] = mapped_column(String(16), default=ListingStatus.PENDING)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # last decision
    moderated_at: Mapped[datetime | None] = mapped_column()
    search_text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # the seller agreed to a web page (/l/<id>)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)  # first published (newest first)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    approved_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    reminded_at: Mapped[datetime | None] = mapped_column()


class MarketPhoto(Base):
    __tablename__ = "market_photos"
    __table_args__ = (Index("ix_market_photos_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # where it came from
    file_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(String(64))  # our copy in the media store
    status: Mapped[str] = mapped_column(String(16), default=PhotoStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListingReport(Base):
    __tablename__ = "market_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("market_listings.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Relay(Base):
    __tablename__ = "market_relays"
    __table_args__ = (UniqueConstraint("listing_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("market_listings.id", ondelete="CASCADE"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- queries ------------------------------------------------------------------------------------


async def listing_of(session: AsyncSession, listing_id: int) -> Listing | None:
    return await session.get(Listing, listing_id)


async def relay_of(session: AsyncSession, relay_id: int) -> Relay | None:
    return await session.get(Relay, relay_id)


async def draft_of(session: AsyncSession, user_id: int) -> MarketDraft | None:
    """The seller's draft (one per seller), if any."""
    return (await session.scalars(select(MarketDraft).where(MarketDraft.user_id == user_id))).first()


async def load_photos(session: AsyncSession, ids: Iterable[int]) -> list[MarketPhoto]:
    """Photos by id, in the order given, leaving out missing ones and those that could not be copied."""
    ids = [int(i) for i in ids]
    if not ids:
        return []
    found = {p.id: p for p in (await session.scalars(select(MarketPhoto).where(MarketPhoto.id.in_(ids)))).all()}
    return [found[i] for i in ids if i in found and found[i].status != PhotoStatus.FAILED]


async def users_in_roles(session: AsyncSession, roles: Iterable[str]) -> list[User]:
    """Users with one of these roles (e.g. the moderators), oldest first."""
    query = select(User).where(User.role.in_(list(roles))).order_by(User.id)
    return list((await session.scalars(query)).all())


async def seller_listings(session: AsyncSession, seller_id: int, *, limit: int = 20) -> list[Listing]:
    """A seller's listings that are not deleted, newest first."""
    query = (select(Listing).where(Listing.seller_id == seller_id, Listing.status != ListingStatus.DELETED)
             .order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit))
    return list((await session.scalars(query)).all())


# --- browsing the marketplace (active listings) ---


def _active() -> Select[Listing]:
    return select(Listing).where(Listing.status == ListingStatus.ACTIVE)


async def open_counts_by_category(session: AsyncSession) -> dict[str | None, int]:
    result = await session.execute(select(Listing.category, func.count())
                                   .where(Listing.status == ListingStatus.ACTIVE).group_by(Listing.category))
    return {k: n for k, n in result.all()}


async def open_counts_by_country(session: AsyncSession) -> dict[str | None, int]:
    result = await session.execute(select(Listing.country, func.count())
                                   .where(Listing.status == ListingStatus.ACTIVE).group_by(Listing.country))
    return {k: n for k, n in result.all()}


async def open_provinces(session: AsyncSession, country: str, *, limit: int = 30) -> list[tuple[str, str | None, int]]:
    """(province key, a display name, count) of provinces with active listings in a country, most first."""
    result = await session.execute(
        select(Listing.province_key, func.min(Listing.province), func.count())
        .where(Listing.status == ListingStatus.ACTIVE, Listing.country == country, Listing.province_key.is_not(None))
        .group_by(Listing.province_key).order_by(func.count().desc()).limit(limit))
    return [(key, name, n) for key, name, n in result.all() if key]


async def open_listings(session: AsyncSession, *, category: str | None = None, country: str | None = None,
                        province_key: str | None = None, offset: int = 0, limit: int = 3
                        ) -> tuple[int, list[Listing]]:
    """(how many match, one page of them newest first) of active listings, optionally narrowed."""
    query = _active()
    if category is not None:
        query = query.where(Listing.category == category)
    if country is not None:
        query = query.where(Listing.country == country)
    if province_key is not None:
        query = query.where(Listing.province_key == province_key)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    page_query = query.order_by(Listing.created_at.desc(), Listing.id.desc()).offset(offset).limit(limit)
    return int(total), list((await session.scalars(page_query)).all())


async def open_listings_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Listing]:
    """The active ones among these listings, by id."""
    query = _active().where(Listing.id.in_(list(ids)))
    return {lst.id: lst for lst in (await session.scalars(query)).all()}


async def listings_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Listing]:
    """These listings (whatever their status), by id."""
    query = select(Listing).where(Listing.id.in_(list(ids)))
    return {lst.id: lst for lst in (await session.scalars(query)).all()}


async def relay_between(session: AsyncSession, listing_id: int, buyer_id: int) -> Relay | None:
    query = select(Relay).where(Relay.listing_id == listing_id, Relay.buyer_id == buyer_id)
    return (await session.scalars(query)).first()


# --- moderation ---


async def has_reported(session: AsyncSession, listing_id: int, reporter_id: int) -> bool:
    query = select(ListingReport).where(ListingReport.listing_id == listing_id,
                                        ListingReport.reporter_id == reporter_id)
    return (await session.scalars(query)).first() is not None


async def clear_reports(session: AsyncSession, listing_id: int) -> None:
    await session.execute(delete(ListingReport).where(ListingReport.listing_id == listing_id))


def _pending() -> Select[Listing]:
    return select(Listing).where(Listing.status == ListingStatus.PENDING)


async def count_pending(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(_pending().subquery()))).scalar_one())


async def pending_listings(session: AsyncSession, *, offset: int, limit: int) -> list[Listing]:
    """Listings waiting for review, oldest change first."""
    query = _pending().order_by(Listing.updated_at, Listing.id).offset(offset).limit(limit)
    return list((await session.scalars(query)).all())


async def reported_listings(session: AsyncSession) -> list[tuple[int, int, list[str]]]:
    """(listing id, number of reports, reasons) of reported listings still in the marketplace, oldest report
    first."""
    result = await session.execute(
        select(ListingReport.listing_id, ListingReport.reason, ListingReport.created_at)
        .join(Listing, Listing.id == ListingReport.listing_id).where(Listing.status == ListingStatus.ACTIVE)
        .order_by(ListingReport.created_at, ListingReport.id))
    found: dict[int, tuple[int, list[str]]] = {}
    for listing_id, reason, _ in result.all():
        count, reasons = found.get(listing_id, (0, []))
        found[listing_id] = (count + 1, reasons if reason in reasons else [*reasons, reason])
    return [(listing_id, count, reasons) for listing_id, (count, reasons) in found.items()]


# --- background jobs ---


async def photos_to_copy(session: AsyncSession, *, limit: int) -> list[MarketPhoto]:
    """Photos whose copy in the media store is not made yet, oldest first."""
    query = select(MarketPhoto).where(MarketPhoto.status == PhotoStatus.PENDING).order_by(MarketPhoto.id).limit(limit)
    return list((await session.scalars(query)).all())


async def listings_to_remind(session: AsyncSession, now: datetime, before: timedelta, *, limit: int = 500
                             ) -> list[Listing]:
    """Active listings running out within ``before`` whose seller was not reminded yet."""
    query = (select(Listing).where(Listing.status == ListingStatus.ACTIVE, Listing.reminded_at.is_(None),
                                   Listing.expires_at <= now + before, Listing.expires_at > now).limit(limit))
    return list((await session.scalars(query)).all())


async def listings_run_out(session: AsyncSession, now: datetime, *, limit: int = 500) -> list[Listing]:
    """Active listings whose time is up."""
    query = select(Listing).where(Listing.status == ListingStatus.ACTIVE, Listing.expires_at <= now).limit(limit)
    return list((await session.scalars(query)).all())


# --- the trainer console ---

LISTED = (ListingStatus.ACTIVE, ListingStatus.EXPIRED, ListingStatus.HIDDEN)  # what the console can search


async def find_listings(session: AsyncSession, *, statuses: Iterable[str], words: str | None = None,
                        listing_id: int | None = None, before_id: int | None = None, limit: int = 50
                        ) -> list[Listing]:
    """Listings in these statuses, newest first, paged by key (``before_id``); ``words`` (already normalised
    like ``search_text``) must appear in the listing's search text, ``listing_id`` picks one listing."""
    query = select(Listing).where(Listing.status.in_(list(statuses)))
    if listing_id is not None:
        query = query.where(Listing.id == listing_id)
    for word in (words or "").split():
        query = query.where(Listing.search_text.contains(word, autoescape=True))
    if before_id is not None:
        query = query.where(Listing.id < before_id)
    return list((await session.scalars(query.order_by(Listing.id.desc()).limit(limit))).all())


async def lock_listing(session: AsyncSession, listing_id: int) -> Listing | None:
    """The listing, locked for this transaction on PostgreSQL (two moderators deciding at once: one wins)."""
    query = select(Listing).where(Listing.id == listing_id)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def users_by_id(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, User]:
    """These users (sellers, moderators), by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(wanted)))).all()}


async def photo_of(session: AsyncSession, photo_id: int) -> MarketPhoto | None:
    return await session.get(MarketPhoto, photo_id)
