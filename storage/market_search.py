"""Queries of the marketplace search index (handlers/market/search.py): the rows it is built from and
kept in step with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.market import Listing, ListingStatus

# (id, status, search_text, category, created_at, updated_at)
IndexRow = Row[int, str, str, str, datetime, datetime]


async def index_rows(session: AsyncSession, changed_since: datetime | None) -> Sequence[IndexRow]:
    """What the search index needs of listings: every active one (``changed_since`` None: a first
    build), or every listing changed at or after ``changed_since`` whatever its status (a catch-up:
    the index drops those no longer active)."""
    query = select(Listing.id, Listing.status, Listing.search_text, Listing.category, Listing.created_at,
                   Listing.updated_at)
    if changed_since is None:
        query = query.where(Listing.status == ListingStatus.ACTIVE)
    else:
        query = query.where(Listing.updated_at >= changed_since)
    return (await session.execute(query)).all()
