"""What the marketplace's smaller test files share: a listing written straight into the database (when how
it was posted is not what a test is about)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.service import Service
from handlers.market.common import search_text
from storage.market import Listing, ListingStatus
from storage.models import Address


async def add_listing(service: Service, seller: str, name: str, now: datetime, *,
                      status: str = ListingStatus.PENDING, description: str = "Hand-made in the village.") -> int:
    """A listing by the user at address ``seller``; its id."""
    location = "Ban Xang Khong, Luang Prabang"
    async with service.db.transaction() as s:
        seller_id = await s.scalar(select(Address.user_id).where(Address.address == seller))
        assert seller_id is not None, seller
        active = status == ListingStatus.ACTIVE
        listing = Listing(seller_id=seller_id, name=name, description=description, price="150000", currency="LAK",
                          category="weaving", country="LA", province="Luang Prabang", province_key="luang prabang",
                          location=location, contact="relay", status=status, photos=[],
                          search_text=search_text(name, description, location), created_at=now, updated_at=now,
                          approved_at=now if active else None, expires_at=now + timedelta(days=60) if active else None)
        s.add(listing)
        await s.flush()
        return listing.id
