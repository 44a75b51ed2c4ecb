"""Secrets never reach the log: every log record is scrubbed when it is made, whatever library logs it
(python-telegram-bot logs its API URL, which holds the token, and every message it sends at DEBUG; aiohttp's
access log prints request paths) and whatever handler or formatter (plain or ``LOG_FORMAT=json``) writes it.

Two kinds of secret are scrubbed:
- the ones the service knows (bot token, webhook secret, Twilio auth token and its basic-auth form), added
  with ``protect(*secrets)`` and replaced by ``[redacted]`` wherever they appear;
- the ones made on the fly, by their shape: the token of a console sign-in link
  (``/admin/login/<token>``, in the chat reply PTB logs and in the access log's request line) and the
  values of the console's cookies (``smce_console=<session>``, ``smce_signin=<form token>``).

The first ``protect`` call installs a log-record factory that formats each record's message (and
traceback, if any) once and scrubs it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

MASK = "[redacted]"
# A sign-in link's token (bot.console.links), and the console's cookies (bot.console.auth COOKIE, PRE_COOKIE)
# as a header, a query or a dict shows them.
SHAPES = (
    (re.compile(r"(/login/)[^\s/?#&'\"<>`]+"), rf"\g<1>{MASK}"),
    (re.compile(r"""(smce_console|smce_signin)(['"]?\s*[:=]\s*['"]?)[^\s;,&'"<>`]+"""), rf"\g<1>\g<2>{MASK}"),
)
_HINTS = ("/login/", "smce_console", "smce_signin")
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    if any(hint in text for hint in _HINTS):
        for pattern, replacement in SHAPES:
            text = pattern.sub(replacement, text)
    return text


def protect(*secrets: str | None) -> None:
    """Keep these out of every log line from now on (values under 8 characters are ignored: too common);
    sign-in link tokens and console cookies are kept out from the first call on, whatever is given."""
    global _installed
    _secrets.update(s for s in secrets if s and len(s) >= 8)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
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
