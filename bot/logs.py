"""Log format: plain lines by default, one JSON object a line with ``LOG_FORMAT=json``.

JSON records carry ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` (and ``exception`` with the
traceback), and while the engine handles an inbound message, ``update`` (the platform's id), ``channel``
and ``address`` — a keyed hash of the address, never the phone number or chat id itself. The key comes from
``LOG_ADDRESS_KEY`` (set it to the same value on every worker to follow one person across workers and
restarts); without it each process draws a random one.

Secrets stay out either way: ``bot.redact`` scrubs each record's message and traceback when the record is
made, before any formatter sees it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class UpdateInfo:
    update: str
    channel: str
    address: str  # already hashed


current_update: ContextVar[UpdateInfo | None] = ContextVar("current_update", default=None)

_key = (os.environ.get("LOG_ADDRESS_KEY") or "").encode() or secrets.token_bytes(16)


def address_hash(address: str) -> str:
    """A short, keyed, stable hash of an address (phone numbers are too few for a plain hash to hide them)."""
    return hashlib.blake2b(address.encode(), key=_key[:64], digest_size=6).hexdigest()


@contextlib.contextmanager
def about_update(update: str, channel: str, address: str) -> Iterator[None]:
    """Log records made inside (in this task and tasks it starts) name this inbound message."""
    token = current_update.set(UpdateInfo(update, channel, address_hash(address)))
    try:
        yield
    finally:
        current_update.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        info = current_update.get()
        if info is not None:
            data.update(update=info.update, channel=info.channel, address=info.address)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False)


def configure(log_format: str, root: logging.Logger | None = None) -> None:
    """Switch every handler of the root logger to ``log_format`` (``json``; anything else keeps them)."""
    if log_format != "json":
        return
    root = root or logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
