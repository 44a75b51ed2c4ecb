"""Looking users up by address, creating them on first contact, picking where to reach them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from storage.db import is_postgres
from storage.models import Address, User


async def find_address(session: AsyncSession, address: str, *, lock: bool = False) -> Address | None:
    query = select(Address).where(Address.address == address)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def get_or_create(session: AsyncSession, channel: str, address: str) -> tuple[User, Address, bool]:
    """The user behind an address, locked for this transaction; created (not onboarded) if new.

    One query loads the address, its user and the user's addresses (it runs for every inbound message).
    """
    query = (
        select(Address)
        .join(Address.user)
        .where(Address.address == address)
        .options(contains_eager(Address.user).joinedload(User.addresses))
    )
    if is_postgres(session):  # the address row, then its user (not the other addresses)
        query = query.with_for_update(of=[Address, User])
    row = (await session.scalars(query)).unique().first()
    if row is not None:
        return row.user, row, False
    user = User(step_data={}, menu=[], profile={})
    session.add(user)
    await session.flush()
    row = Address(user_id=user.id, channel=channel, address=address)
    session.add(row)
    await session.flush()
    return user, row, True


def preferred_address(user: User) -> Address | None:
    """Where to reach a user unprompted: the address they wrote from last that has not blocked us."""
    usable = [a for a in user.addresses if not a.blocked and a.channel != "terminal"] or [
        a for a in user.addresses if not a.blocked
    ]
    if not usable:
        return None
    return max(usable, key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or a.created_at))


async def recipient_state(session: AsyncSession, address: str) -> tuple[datetime | None, str | None]:
    """When the person at ``address`` last wrote (their address row) and their language; Nones if unknown."""
    row = (await session.execute(
        select(Address.last_inbound_at, User.language)
        .join(User, User.id == Address.user_id)
        .where(Address.address == address)
    )).first()
    return (row[0], row[1]) if row is not None else (None, None)


async def block_address(session: AsyncSession, address: str) -> None:
    """The person opted out at the platform: nothing more is sent to this address until they write."""
    await session.execute(update(Address).where(Address.address == address).values(blocked=True))
