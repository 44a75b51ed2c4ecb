"""Looking users up by address, creating them on first contact, picking where to reach them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import is_postgres
from storage.models import Address, User
from storage.raw import Loader, Query, Sql, in_session

# Built once: the lookup runs for every inbound message, and building the statement and its cache key each
# time cost about as much as running it (bench/README.md).
_BY_ADDRESS = (
    select(Address)
    .join(Address.user)
    .where(Address.address == bindparam("address"))
    .options(contains_eager(Address.user).joinedload(User.addresses))
)
_BY_ADDRESS_LOCKED = _BY_ADDRESS.with_for_update(of=[Address, User])  # the address row and its user
_NOTE_INBOUND = Sql("UPDATE addresses SET last_inbound_at = :now WHERE id = :id")
MENU = Sql("UPDATE users SET menu = :menu WHERE id = :id")  # also storage.outbox.insert_messages


async def find_address(session: AsyncSession, address: str, *, lock: bool = False) -> Address | None:
    query = select(Address).where(Address.address == address)
    if lock and is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def get_or_create(session: AsyncSession, channel: str, address: str, *,
                        inbound_at: datetime | None = None) -> tuple[User, Address, bool]:
    """The user behind an address, locked for this transaction; created (not onboarded) if new.

    One query loads the address, its user and the user's addresses (it runs for every inbound message).
    ``inbound_at``: the person wrote then; on PostgreSQL the same statement also writes it as the address's
    last contact (one round trip less; ``note_inbound`` then writes only what else changed).
    """
    if not session.identity_map:  # a fresh session (every message's): one query on the driver
        found = await _load(session, address, inbound_at)
        if found is not None:
            return found[0], found[1], False
    else:
        query = _BY_ADDRESS_LOCKED if is_postgres(session) else _BY_ADDRESS
        row = (await session.scalars(query, {"address": address})).unique().first()
        if row is not None:
            return row.user, row, False
    user = User(step_data={}, menu=[], profile={})
    session.add(user)
    await session.flush()
    row = Address(user_id=user.id, channel=channel, address=address)
    session.add(row)
    await session.flush()
    return user, row, True


_USERS, _ADDRESS_ROWS = Loader(User), Loader(Address)
_LOAD = Sql(f"SELECT {_USERS.select('u')}, {_ADDRESS_ROWS.select('o')} FROM addresses a "
            "JOIN users u ON u.id = a.user_id JOIN addresses o ON o.user_id = u.id WHERE a.address = :address "
            "ORDER BY o.id")
_LOAD_LOCKED = Sql(_LOAD.sqlite + " FOR UPDATE OF a, u")  # the address row and its user
# PostgreSQL, with the last contact: the UPDATE locks the address row (as FOR UPDATE would); the SELECT sees
# the rows as they were before it (one snapshot per statement), so the new time is set on the object after.
_LOAD_NOTING = Sql(f"WITH a AS (UPDATE addresses SET last_inbound_at = :now WHERE address = :address "
                   f"RETURNING user_id) SELECT {_USERS.select('u')}, {_ADDRESS_ROWS.select('o')} FROM a "
                   "JOIN users u ON u.id = a.user_id JOIN addresses o ON o.user_id = u.id "
                   "ORDER BY o.id FOR UPDATE OF u")


async def _load(session: AsyncSession, address: str, inbound_at: datetime | None = None) -> tuple[User, Address] | None:
    """The user behind ``address`` with all their addresses (locked on PostgreSQL), as ``get_or_create``'s
    ORM query would load them, from one query on the driver (see ``get_or_create`` for ``inbound_at``)."""
    raw = await in_session(session)
    if raw.postgres and inbound_at is not None:
        rows = await raw.fetch(_LOAD_NOTING, {"address": address, "now": inbound_at})
    else:
        rows = await raw.fetch(_LOAD_LOCKED if raw.postgres else _LOAD, {"address": address})
        inbound_at = None
    if not rows:
        return None
    width = len(_USERS.columns)
    user: User = _USERS.make(session, rows[0][:width], raw)
    addresses: list[Address] = [_ADDRESS_ROWS.make(session, row[width:], raw) for row in rows]
    set_committed_value(user, "addresses", addresses)
    for a in addresses:
        set_committed_value(a, "user", user)
    found = next(a for a in addresses if a.address == address)
    if inbound_at is not None:
        set_committed_value(found, "last_inbound_at", inbound_at)
    return user, found


async def note_inbound(session: AsyncSession, address: Address, now: datetime, *, username: str | None = None,
                       profile_name: str | None = None) -> None:
    """The person at ``address`` wrote at ``now`` (as ``username`` / ``profile_name``, when the platform says):
    remember it, and that they no longer block us.

    One UPDATE on the driver (``storage.raw``) whose values are also set on ``address`` as already
    committed, instead of changing the object and letting the unit of work flush it: that flush (run by
    the handler's first query) cost several times the statement on every inbound message."""
    values: dict[str, Any] = {} if address.last_inbound_at == now else {"last_inbound_at": now}  # see get_or_create
    if username and address.username != username:
        values["username"] = username
    if profile_name and address.profile_name != profile_name[:200]:
        values["profile_name"] = profile_name[:200]
    if address.blocked:  # writing to us again means they unblocked the bot
        values["blocked"] = False
    if not values:
        return
    raw = await in_session(session)
    if list(values) == ["last_inbound_at"]:
        await raw.run(_NOTE_INBOUND, {"id": address.id, "now": now})
    else:
        q = Query(raw.postgres)
        sets = ", ".join(f"{key} = {q.p(value)}" for key, value in values.items())
        await raw.run(f"UPDATE addresses SET {sets} WHERE id = {q.p(address.id)}", q.args)
    for key, value in values.items():
        set_committed_value(address, key, value)


async def remember_menu(session: AsyncSession, user: User, menu: list[list[str]], *, written: bool = False) -> None:
    """The buttons last shown to ``user`` (a typed number or label presses one), written on the driver and
    set on ``user`` as committed: it changes on almost every message (see ``note_inbound``). ``written``:
    the caller wrote it already (``storage.outbox.insert_messages``, with the outbox rows): only the object."""
    if not written:
        await (await in_session(session)).run(MENU, {"id": user.id, "menu": menu})
    set_committed_value(user, "menu", menu)


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
