"""What a channel may ask the core about its recipients and tell it about its deliveries.

Channels never touch the database themselves: the service hands each one a ``Deliveries`` and the
channel calls it, e.g. to learn when a person last wrote (WhatsApp's 24-hour window), to put held
messages back in the queue, or to record a delivery status a platform reported.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.links import (
    KNOWN_STATUSES,
    any_kept_status,
    reconcile_statuses,
    record_status,
    release_held,
    status_error,
)
from storage.models import OutboxStatus
from storage.users import block_address, recipient_state

__all__ = ["KNOWN_STATUSES", "Deliveries", "OutboxStatus", "status_error"]


class Deliveries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recipient(self, address: str) -> tuple[datetime | None, str | None]:
        """When the person at ``address`` last wrote, and their language (Nones for an unknown address)."""
        async with self.db.read() as session:
            return await recipient_state(session, address)

    async def release_held(self, channel: str, address: str, now: datetime) -> int:
        """The person wrote again: messages held for the address go back to the queue. Returns how many."""
        async with self.db.transaction() as session:
            return await release_held(session, channel, address, now)

    async def report(self, channel: str, external_id: str, status: str, error_code: str | None, now: datetime,
                     *, block: str | None = None) -> None:
        """Record a status the platform reported for a message we sent (forward only). With ``block``
        (the callback's recipient), the message's address (or else ``block``) is marked blocked too."""
        async with self.db.transaction() as session:
            address = await record_status(session, channel, external_id, status, error_code, now)
            if block is not None:
                await block_address(session, address or block)

    async def reconcile(self, channel: str, now: datetime) -> int:
        """Apply statuses that arrived before their outbox row knew its message id. Returns applied."""
        async with self.db.read() as session:  # usually none: do not take SQLite's write lock for nothing
            if not await any_kept_status(session):
                return 0
        async with self.db.transaction() as session:
            return await reconcile_statuses(session, channel, now)
