"""Secrets never reach the log: every log record is scrubbed of the secrets the service knows (bot token,
webhook secret, Twilio auth token and its basic-auth form) when it is made, whatever library logs it
(python-telegram-bot logs its API URL, which holds the token, at DEBUG) and whatever handler writes it.

``protect(*secrets)`` adds secrets; the first call installs a log-record factory that formats each
record's message (and traceback, if any) once, replacing each secret with ``[redacted]``.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

MASK = "[redacted]"
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def protect(*secrets: str | None) -> None:
    """Keep these out of every log line from now on (values under 8 characters are ignored: too common)."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 8)
    if _installed or not _secrets:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not _secrets:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
