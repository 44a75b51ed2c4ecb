"""Tables and helpers of the channels feature: link codes, delivery statuses, merging two users.

- ``LinkCode``: a short one-time code a user asks for on one channel and sends from another, so both
  addresses belong to one person (progress and listings follow them).
- ``DeliveryStatus``: the latest status a platform reported for a message we sent (Twilio's status
  callback), kept even when it arrives before the outbox row knows its external id.
- ``merge_users``: moves everything of one user onto another. Tables with a foreign key to ``users.id``
  are handled generically (rows that would break a unique constraint stay with the source and go with
  it); features that need more (e.g. summing counters) register a hook with ``add_merge_hook``.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    ForeignKey,
    String,
    Table,
    and_,
    delete,
    exists,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from storage.db import is_postgres
from storage.models import Address, Base, Outbox, OutboxStatus, Role, User

LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: easy to read aloud and type
LINK_CODE_LENGTH = 6
LINK_CODE_TTL = timedelta(minutes=15)


class LinkCode(Base):
    """A one-time code linking the address that asked for it with the one that sends it back."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()


class DeliveryStatus(Base):
    """A status a platform reported (Twilio's status callback) before the outbox row knew its message
    id: kept here until ``reconcile_statuses`` writes it onto the row (or it is a day old)."""

    __tablename__ = "delivery_statuses"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(index=True)


# --- link codes ---------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper()


async def create_link_code(session: AsyncSession, user_id: int, channel: str, address: str,
                           now: datetime) -> LinkCode:
    """A fresh code for this user (their older codes are dropped, as are everybody's expired ones)."""
    await session.execute(delete(LinkCode).where((LinkCode.user_id == user_id) | (LinkCode.expires_at < now)))
    while True:
        code = new_code()
        if await session.get(LinkCode, code) is None:
            break
    row = LinkCode(code=code, user_id=user_id, channel=channel, address=address, created_at=now,
                   expires_at=now + LINK_CODE_TTL)
    session.add(row)
    await session.flush()
    return row


async def take_link_code(session: AsyncSession, code: str, now: datetime) -> LinkCode | None:
    """The valid code (deleted: it works once), or None when unknown or expired."""
    row = await session.get(LinkCode, normalise_code(code))
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    if row.expires_at < now:
        return None
    return row


# --- merging two users --------------------------------------------------------------------------

MergeHook = Callable[[AsyncSession, int, int], Awaitable[None]]
MERGE_HOOKS: list[MergeHook] = []


def add_merge_hook(hook: MergeHook) -> MergeHook:
    """Register ``async def hook(session, source_id, target_id)``, run before the generic move."""
    if hook not in MERGE_HOOKS:
        MERGE_HOOKS.append(hook)
    return hook


ROLE_RANK = {Role.LEARNER: 0, Role.TRAINER: 1, Role.ADMIN: 2}
PROFILE_FIELDS = ("name", "language", "country", "province", "craft", "timezone")


def user_columns() -> list[tuple[Table, Column[int]]]:
    """Every (table, column) with a foreign key to ``users.id``, over the tables declared so far: the
    application imports ``storage.all_models`` at start, so that is every feature's tables."""
    users = User.__table__
    found: list[tuple[Table, Column[int]]] = []
    for table in Base.metadata.sorted_tables:
        if table is users:
            continue
        for column in table.columns:
            if any(fk.column is users.c.id for fk in column.foreign_keys):
                found.append((table, column))
    return found


def _unique_sets(table: Table, column: Column[int]) -> list[list[Column[object]]]:
    """The other columns of each unique constraint/index that includes ``column``."""
    from sqlalchemy import UniqueConstraint

    sets: list[list[Column[object]]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and column.name in constraint.columns:
            sets.append([c for c in constraint.columns if c.name != column.name])
    for index in table.indexes:
        if index.unique and column.name in index.columns:
            sets.append([c for c in index.columns if c.name != column.name])
    if column.unique:
        sets.append([])
    return sets


async def move_rows(session: AsyncSession, table: Table, column: Column[int], source_id: int,
                    target_id: int) -> int:
    """Point ``column`` from the source to the target where no unique constraint forbids it; rows that
    would collide (the target already has one) are deleted or, for a nullable column, set to NULL."""
    condition = column == source_id
    for others in _unique_sets(table, column):
        twin = aliased(table)
        clash = [twin.c[column.name] == target_id] + [twin.c[c.name] == table.c[c.name] for c in others]
        condition = and_(condition, ~exists().where(*clash))
    result = await session.execute(update(table).where(condition).values({column.name: target_id}))
    moved: int = getattr(result, "rowcount", 0) or 0
    if column.nullable:
        await session.execute(update(table).where(column == source_id).values({column.name: None}))
    else:
        await session.execute(delete(table).where(column == source_id))
    return moved


async def merge_users(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Move everything of ``source`` onto ``target``, then delete the source user.

    The target keeps its own values and takes the source's where it has none; ``onboarded`` and
    ``opted_out`` are kept if either had them, the higher role wins. Rows of tables with a foreign key
    to ``users.id`` are moved where the target has no conflicting row (lesson progress and quiz answers
    the target already has stay the target's). Callers must not use the source ``User`` object
    afterwards (it is expunged from the session).
    """
    if source_id == target_id:
        return
    source = await session.get(User, source_id)
    target = await session.get(User, target_id)
    if source is None or target is None:
        raise ValueError("both users must exist")
    for name in PROFILE_FIELDS:
        if getattr(target, name) is None and getattr(source, name) is not None:
            setattr(target, name, getattr(source, name))
    target.onboarded = bool(target.onboarded or source.onboarded)
    target.opted_out = bool(target.opted_out or source.opted_out)
    if ROLE_RANK.get(source.role, 0) > ROLE_RANK.get(target.role, 0):
        target.role = source.role
    target.profile = {**(source.profile or {}), **(target.profile or {})}
    addresses = list((await session.scalars(select(Address).where(Address.user_id == source_id))).all())
    for address in addresses:
        address.user_id = target_id
    await session.flush()
    for address in addresses:
        session.expire(address, ["user"])
    for hook in MERGE_HOOKS:
        await hook(session, source_id, target_id)
    for table, column in user_columns():
        await move_rows(session, table, column, source_id, target_id)
    session.expunge(source)
    await session.execute(delete(User).where(User.id == source_id).execution_options(synchronize_session=False))
    await session.refresh(target, ["addresses"])


# --- delivery status ----------------------------------------------------------------------------

# Statuses move forward only; failed / undelivered end a message from any state below delivered.
STATUS_RANK = {
    OutboxStatus.PENDING: 0, OutboxStatus.SENDING: 1, "accepted": 2, "scheduled": 2, "queued": 3,
    "sending": 4, OutboxStatus.SENT: 5, OutboxStatus.DELIVERED: 6, OutboxStatus.READ: 7,
}
FAILURES = {OutboxStatus.FAILED, "undelivered", "canceled"}
FINAL = {OutboxStatus.FAILED, "undelivered", "canceled", OutboxStatus.HELD, OutboxStatus.SKIPPED}


def moves_forward(current: str, new: str) -> bool:
    if current == new or current in FINAL:
        return False
    if new in FAILURES or new == OutboxStatus.HELD:
        return STATUS_RANK.get(current, 0) < STATUS_RANK[OutboxStatus.DELIVERED]
    if new not in STATUS_RANK:
        return False
    return STATUS_RANK[new] > STATUS_RANK.get(current, 0)


KNOWN_STATUSES = set(STATUS_RANK) | FAILURES | {OutboxStatus.HELD}

# Twilio error codes worth a readable note in the outbox.
TWILIO_ERRORS = {
    "63016": "outside the 24-hour window: send a template",
    "21610": "the recipient opted out (STOP at Twilio)",
    "63003": "the number is not on WhatsApp",
    "63024": "invalid message recipient",
    "63018": "rate limit of the WhatsApp sender exceeded",
    "63049": "Meta chose not to deliver this marketing message",
    "20429": "too many requests",
}


def status_error(code: str | int | None) -> str | None:
    """``63016`` → ``twilio 63016: outside the 24-hour window: send a template``."""
    if code in (None, ""):
        return None
    note = TWILIO_ERRORS.get(str(code))
    return f"twilio {code}: {note}" if note else f"twilio {code}"


async def _apply(session: AsyncSession, outbox: Outbox, status: str, error_code: str | None) -> None:
    if moves_forward(outbox.status, status):
        outbox.status = status
        error = status_error(error_code)
        if error is not None:
            outbox.error = error[:500]


async def record_status(session: AsyncSession, channel: str, external_id: str, status: str,
                        error_code: str | None, now: datetime) -> str | None:
    """Write a reported status onto the outbox row with that message id (forward only). When no row has
    the id yet (the report beat the outbox's own write), keep it for ``reconcile_statuses``.
    Returns the row's address, or None when it was kept for later."""
    query = select(Outbox).where(Outbox.channel == channel, Outbox.external_id == external_id)
    if is_postgres(session):
        query = query.with_for_update()
    outbox = (await session.scalars(query)).first()
    if outbox is not None:
        await _apply(session, outbox, status, error_code)
        return outbox.address
    row = await session.get(DeliveryStatus, (channel, external_id))
    if row is None:
        session.add(DeliveryStatus(channel=channel, external_id=external_id, status=status,
                                   error_code=error_code, updated_at=now))
    elif moves_forward(row.status, status):
        row.status, row.error_code, row.updated_at = status, error_code, now
    return None


KEEP_UNMATCHED = timedelta(days=1)


async def any_kept_status(session: AsyncSession) -> bool:
    """Whether any status waits for ``reconcile_statuses`` (usually none: a cheap look first)."""
    return await session.scalar(select(DeliveryStatus.external_id).limit(1)) is not None


async def reconcile_statuses(session: AsyncSession, channel: str, now: datetime, limit: int = 500) -> int:
    """Apply kept statuses whose outbox row now knows its id; forget those a day old. Returns applied."""
    rows = list((await session.scalars(
        select(DeliveryStatus).where(DeliveryStatus.channel == channel)
        .order_by(DeliveryStatus.updated_at).limit(limit)
    )).all())
    if not rows:
        return 0
    ids = [r.external_id for r in rows]
    outboxes = {o.external_id: o for o in (await session.scalars(
        select(Outbox).where(Outbox.channel == channel, Outbox.external_id.in_(ids))
    )).all()}
    applied = 0
    for row in rows:
        outbox = outboxes.get(row.external_id)
        if outbox is not None:
            await _apply(session, outbox, row.status, row.error_code)
            applied += 1
        if outbox is not None or row.updated_at < now - KEEP_UNMATCHED:
            await session.delete(row)
    return applied


HELD_KEPT = timedelta(days=7)


async def release_held(session: AsyncSession, channel: str, address: str, now: datetime) -> int:
    """The user wrote again, so their window is open: messages held for this address in the last week
    go back to the queue (oldest first, before the reply to what they just wrote)."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.channel == channel, Outbox.address == address, Outbox.status == OutboxStatus.HELD,
               Outbox.created_at >= now - HELD_KEPT)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
