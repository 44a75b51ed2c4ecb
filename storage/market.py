"""Tables of the market feature (declared on storage.models.Base).

- ``market_drafts``: one listing being written (or edited) per seller, kept when they leave halfway;
- ``market_listings``: listings with their moderation / life-cycle status and a precomputed,
  normalised ``search_text`` for search;
- ``market_photos``: photos as received (a Telegram ``file_id`` or a Twilio URL) and, once a job has
  copied the bytes, the key of our own copy in the media store;
- ``market_reports``: users' reports of prohibited content;
- ``market_relays``: buyer ↔ seller conversations relayed through the bot (neither sees the other's number).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, utcnow


class ListingStatus:
    PENDING = "pending"  # waiting for a moderator
    ACTIVE = "active"
    REJECTED = "rejected"
    SOLD = "sold"
    EXPIRED = "expired"
    DELETED = "deleted"


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
    search_text: Mapped[str] = mapped_column(Text, default="")
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
