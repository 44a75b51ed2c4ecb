"""Data rights: everything stored about one person (``export_user``) and erasing them (``forget_user``).

One implementation for the chat (``/mydata``, ``/forget``) and any console: both call these functions in
their own transaction. The export walks every table that points at ``users.id`` (found from the schema, so
a new feature's table is included without a change here), plus what is kept by address.

Erasure deletes the person's rows and keeps, anonymised, what other people's records need:
- a fresh *erased* user with no name, no address and no announcements takes over what must stay countable
  or reviewable: announcement recipients and taps (delivery reports), reports they filed on listings, and
  those of their listings that carry a moderation record (rejected, or reported), emptied of their content;
- rows that point at them with ``ON DELETE SET NULL`` (questions asked of the FAQ, messages written in
  trainers' tickets, authored announcements) stay without the link; certificates stay only as anonymous
  counts (``storage.certificates.anonymise_certificates``: no holder, no name, no image);
- their outbox rows lose the text and the address; those not sent yet are cancelled (``skipped``);
- dead letters and access attempts from their addresses are deleted or unlinked;
- then the user row goes, and with it (``ON DELETE CASCADE``) addresses, progress, answers, reminders,
  drafts, listings, relays, tickets, link codes. With no address left, nothing more can be sent to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import storage.all_models  # noqa: F401 - every table, so the export sees them all
from storage.announcements import AccessAttempt, BroadcastRecipient, BroadcastTap
from storage.certificates import anonymise_certificates
from storage.deadletters import DeadLetter
from storage.market import Listing, ListingReport, ListingStatus
from storage.models import Address, Base, Outbox, OutboxStatus, User

OUTBOX_EXPORT_LIMIT = 500  # the newest messages we sent them, in the export
HIDDEN_COLUMNS = {("users", "menu"), ("trainer_invites", "code_hash"), ("market_listings", "search_text")}
ERASED = "erased"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _user_columns() -> list[tuple[Table, str]]:
    """Every (table, column) holding a ``users.id``, the users table's own id first."""
    found: list[tuple[Table, str]] = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append((table, column.name))
    return found


async def _rows(session: AsyncSession, table: Table, where: Any, limit: int | None = None) -> list[dict[str, Any]]:
    query = select(table).where(where)
    if limit is not None and "id" in table.c:
        query = query.order_by(table.c.id.desc()).limit(limit)
    result = await session.execute(query)
    return [{k: _plain(v) for k, v in row._mapping.items() if (table.name, k) not in HIDDEN_COLUMNS}
            for row in result]


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """``{table: [row, ...]}`` of everything stored about this user (JSON-ready values)."""
    users = Base.metadata.tables["users"]
    data: dict[str, Any] = {"users": await _rows(session, users, users.c.id == user_id)}
    addresses = [a for (a,) in await session.execute(select(Address.address).where(Address.user_id == user_id))]
    for table, column in _user_columns():
        limit = OUTBOX_EXPORT_LIMIT if table.name == "outbox" else None
        rows = await _rows(session, table, table.c[column] == user_id, limit)
        if rows:
            data.setdefault(table.name, []).extend(r for r in rows if r not in data.get(table.name, []))
    if addresses:
        dead = Base.metadata.tables[DeadLetter.__tablename__]
        rows = await _rows(session, dead, dead.c.address.in_(addresses))
        if rows:
            data["dead_letters"] = rows
    return data


@dataclass(frozen=True)
class Forgotten:
    erased_user: User  # the anonymous stand-in that keeps what must stay (no name, no address)
    addresses: list[str]
    cancelled: int  # outbox rows not sent yet, cancelled


async def forget_user(session: AsyncSession, user: User, now: datetime) -> Forgotten:
    """Erase ``user`` (see the module's docstring). The ``user`` object and its addresses leave the session."""
    await session.flush()  # what the caller changed on these objects is written before they go
    uid = user.id
    addresses = [a for (a,) in await session.execute(select(Address.address).where(Address.user_id == uid))]
    stand_in = User(name=None, onboarded=False, opted_out=True, step=None, step_data={}, menu=[],
                    profile={ERASED: now.isoformat()}, created_at=now)
    session.add(stand_in)
    await session.flush()
    sid = stand_in.id

    # Kept for others' records, under the stand-in.
    await session.execute(update(BroadcastRecipient).where(BroadcastRecipient.user_id == uid).values(user_id=sid))
    await session.execute(update(BroadcastTap).where(BroadcastTap.user_id == uid).values(user_id=sid))
    await session.execute(update(ListingReport).where(ListingReport.reporter_id == uid).values(reporter_id=sid))
    reported = select(ListingReport.listing_id)
    await session.execute(
        update(Listing).where(Listing.seller_id == uid,
                              or_(Listing.status == ListingStatus.REJECTED, Listing.id.in_(reported)))
        .values(seller_id=sid, name=ERASED, description="", photos=[], location="", province=None,
                province_key=None, search_text="", status=ListingStatus.DELETED, updated_at=now))

    # Messages to them: no text, no address; the unsent ones cancelled.
    mine = or_(Outbox.user_id == uid, Outbox.address.in_(addresses)) if addresses else Outbox.user_id == uid
    waiting = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.HELD)
    cancelled: Any = await session.execute(update(Outbox).where(mine, Outbox.status.in_(waiting))
                                           .values(status=OutboxStatus.SKIPPED, error=ERASED, lease_until=None))
    await session.execute(update(Outbox).where(mine).values(body={"text": ""}, address=f"{ERASED}:{sid}",
                                                           user_id=sid))

    if addresses:
        await session.execute(delete(DeadLetter).where(DeadLetter.address.in_(addresses)))
        await session.execute(update(AccessAttempt).where(AccessAttempt.address.in_(addresses)).values(address=None))
    await anonymise_certificates(session, uid)  # kept only as anonymous counts (issue 17)

    for obj in [*user.addresses, user]:
        if obj in session:
            session.expunge(obj)
    await session.execute(delete(User).where(User.id == uid))  # cascades and SET NULLs do the rest
    return Forgotten(stand_in, addresses, int(cancelled.rowcount or 0))
