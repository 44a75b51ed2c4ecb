"""The outbox: replies stored with the state change, sent after commit.

- ``queue``: what is stored: ``enqueue`` / ``enqueue_many`` (inside the handler's transaction) and the
  claim with a lease (the SQL is in ``storage.outbox``);
- ``sender``: what a channel implements (``Sender``, receiving a ``Delivery``) and the pacing per channel
  (``TokenBucket``);
- ``worker``: ``OutboxWorker``, the loop that claims, sends in order per address and records results.

Import the public names from here: ``from bot.outbox import enqueue, Sender``.
"""

from bot.outbox.queue import LEASE, LEASE_CHECK, MAX_ATTEMPTS, enqueue, enqueue_many
from bot.outbox.sender import Delivery, Sender, TokenBucket
from bot.outbox.worker import OutboxWorker, Stats

__all__ = [
    "LEASE", "LEASE_CHECK", "MAX_ATTEMPTS", "Delivery", "OutboxWorker", "Sender", "Stats", "TokenBucket", "enqueue",
    "enqueue_many",
]
