"""Tables of the community directory (issue 18): SMCE profiles, their drafts, messages relayed to their
owners, and featured profiles and listings.

- ``directory_profiles``: one profile per owner (a person or a group), moderated like listings, with a
  normalised ``search_text`` for the shared search index and ``public`` (the owner's consent to a web page);
- ``directory_drafts``: the profile being written or edited, kept when the owner leaves halfway;
- ``directory_relays``: someone ↔ a profile's owner, relayed through the bot (no numbers shown);
- ``featured_items``: a profile or a listing a trainer marked as featured, with a short citation.

The queries the directory's handlers and the public pages need are named functions at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.market import Listing, ListingStatus
from storage.models import Base, utcnow


class ProfileStatus:
    PENDING = "pending"  # waiting for a moderator
    ACTIVE = "active"
    REJECTED = "rejected"
    HIDDEN = "hidden"  # hidden by its owner, until shown again


class Profile(Base):
    __tablename__ = "directory_profiles"
    __table_args__ = (Index("ix_directory_profiles_place", "status", "country", "province_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # person | group
    name: Mapped[str] = mapped_column(String(100))
    crafts: Mapped[list[Any]] = mapped_column(default=list)  # codes of handlers.choices.CRAFTS
    craft_text: Mapped[str] = mapped_column(String(200), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(100))
    province_key: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    photos: Mapped[list[Any]] = mapped_column(default=list)  # market_photos ids, in order
    contact: Mapped[str] = mapped_column(String(16))  # relay | public
    public_contact: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[Any]] = mapped_column(default=list)  # language codes
    language: Mapped[str] = mapped_column(String(8), default="en")  # the owner's: the web page's default
    status: Mapped[str] = mapped_column(String(16), default=ProfileStatus.PENDING, index=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # the owner agreed to a web page
    reject_reason: Mapped[str | None] = mapped_column(Text)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None] = mapped_column()
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ProfileDraft(Base):
    __tablename__ = "directory_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProfileRelay(Base):
    __tablename__ = "directory_relays"
    __table_args__ = (UniqueConstraint("profile_id", "asker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("directory_profiles.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class Featured(Base):
    __tablename__ = "featured_items"
    __table_args__ = (UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # profile | listing
    item_id: Mapped[int] = mapped_column(Integer)
    citation: Mapped[str] = mapped_column(String(300))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# --- queries ------------------------------------------------------------------------------------


async def profile_of(session: AsyncSession, profile_id: int) -> Profile | None:
    return await session.get(Profile, profile_id)


async def profile_by_owner(session: AsyncSession, owner_id: int) -> Profile | None:
    return (await session.scalars(select(Profile).where(Profile.owner_id == owner_id))).first()


async def profile_by_slug(session: AsyncSession, slug: str) -> Profile | None:
    return (await session.scalars(select(Profile).where(Profile.slug == slug))).first()


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return (await session.scalar(select(Profile.id).where(Profile.slug == slug))) is not None


async def draft_of(session: AsyncSession, user_id: int) -> ProfileDraft | None:
    return (await session.scalars(select(ProfileDraft).where(ProfileDraft.user_id == user_id))).first()


async def relay_of(session: AsyncSession, relay_id: int) -> ProfileRelay | None:
    return await session.get(ProfileRelay, relay_id)


async def relay_between(session: AsyncSession, profile_id: int, asker_id: int) -> ProfileRelay | None:
    query = select(ProfileRelay).where(ProfileRelay.profile_id == profile_id, ProfileRelay.asker_id == asker_id)
    return (await session.scalars(query)).first()


async def active_profiles(session: AsyncSession, *, craft: str | None = None, country: str | None = None,
                          public_only: bool = False, offset: int = 0, limit: int = 3) -> tuple[int, list[Profile]]:
    """(how many match, one page of them, newest first) of profiles in the directory."""
    query = select(Profile).where(Profile.status == ProfileStatus.ACTIVE)
    if country is not None:
        query = query.where(Profile.country == country)
    if public_only:
        query = query.where(Profile.public.is_(True))
    if craft is not None:  # crafts is a short JSON list: matched in Python, the directory is small per craft
        found = [p for p in (await session.scalars(query.order_by(Profile.created_at.desc(), Profile.id.desc())))
                 .all() if craft in (p.crafts or [])]
        return len(found), found[offset:offset + limit]
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    page = query.order_by(Profile.created_at.desc(), Profile.id.desc()).offset(offset).limit(limit)
    return int(total), list((await session.scalars(page)).all())


async def profile_countries(session: AsyncSession) -> dict[str | None, int]:
    result = await session.execute(select(Profile.country, func.count())
                                   .where(Profile.status == ProfileStatus.ACTIVE).group_by(Profile.country))
    return {k: n for k, n in result.all()}


async def active_profiles_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Profile]:
    query = select(Profile).where(Profile.status == ProfileStatus.ACTIVE, Profile.id.in_(list(ids)))
    return {p.id: p for p in (await session.scalars(query)).all()}


async def pending_profiles(session: AsyncSession, *, limit: int = 10) -> list[Profile]:
    query = (select(Profile).where(Profile.status == ProfileStatus.PENDING)
             .order_by(Profile.updated_at, Profile.id).limit(limit))
    return list((await session.scalars(query)).all())


async def live_listings_of(session: AsyncSession, seller_id: int, *, public_only: bool = False,
                           limit: int = 10) -> list[Listing]:
    """A seller's listings in the marketplace, newest first (``public_only``: those with a web page)."""
    query = select(Listing).where(Listing.seller_id == seller_id, Listing.status == ListingStatus.ACTIVE)
    if public_only:
        query = query.where(Listing.public.is_(True))
    query = query.order_by(Listing.created_at.desc(), Listing.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


# (id, status, search_text, crafts as space-separated codes, created_at, updated_at): what the search index reads
IndexRow = tuple[int, str, str, str, datetime, datetime]


async def index_rows(session: AsyncSession, changed_since: datetime | None) -> Sequence[IndexRow]:
    """Rows for the shared search index (see ``storage.market_search.index_rows``): every active profile
    on a first build, else every profile changed at or after ``changed_since``."""
    query = select(Profile.id, Profile.status, Profile.search_text, Profile.crafts, Profile.created_at,
                   Profile.updated_at)
    if changed_since is None:
        query = query.where(Profile.status == ProfileStatus.ACTIVE)
    else:
        query = query.where(Profile.updated_at >= changed_since)
    rows = (await session.execute(query)).all()
    return [(i, status, text, " ".join(crafts or []), created, updated)
            for i, status, text, crafts, created, updated in rows]


# --- featured ---


async def featured_of(session: AsyncSession, kind: str, item_id: int) -> Featured | None:
    query = select(Featured).where(Featured.kind == kind, Featured.item_id == item_id)
    return (await session.scalars(query)).first()


async def featured_items(session: AsyncSession, *, limit: int = 10) -> list[Featured]:
    """Featured profiles and listings, newest first (the caller drops those no longer live)."""
    query = select(Featured).order_by(Featured.created_at.desc(), Featured.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())
