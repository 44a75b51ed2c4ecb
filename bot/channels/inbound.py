"""Reading a webhook's body safely, before anything else looks at it.

Every way a body can be unusable is the sender's fault and gets a 4xx, never a 5xx and never a
traceback: too big (413, checked before and while reading), compressed or in a charset other than
UTF-8 (415: neither Telegram nor Twilio sends those), cut short or broken while reading (400). Text
that reaches the core is cleaned (``clean``): no NUL characters (PostgreSQL refuses them) and nothing
that cannot be written as UTF-8.
"""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # a Telegram update or a Twilio form is a few kB; photos come as references
IDENTITY = {"", "identity"}


def refuse(status: int, reason: str) -> web.Response:
    """A short plain answer for a body we cannot use (logged at debug level: bad input is not our failure)."""
    log.debug("webhook refused with %s: %s", status, reason)
    return web.Response(status=status, text=reason)


def _charset_ok(request: web.Request) -> bool:
    charset = (request.charset or "utf-8").strip().lower().replace("_", "-")
    return charset in {"utf-8", "utf8"}


async def read_body(request: web.Request, *, content_type: str | None = None,
                    limit: int = MAX_BODY) -> bytes | web.Response:
    """The raw body, or the 4xx answer to give instead (``content_type``: the only media type accepted)."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in IDENTITY:
        return refuse(415, "compressed bodies are not accepted")
    if (content_type is not None and request.content_type.lower() != content_type) or not _charset_ok(request):
        return refuse(415, f"expected {content_type or 'a body'} in UTF-8")
    if request.content_length is not None and request.content_length > limit:
        return refuse(413, "body too large")
    data = bytearray()
    try:
        async for chunk in request.content.iter_any():
            data.extend(chunk)
            if len(data) > limit:
                return refuse(413, "body too large")
    except (ValueError, OSError, web.HTTPException) as exc:  # a broken or cut-short body
        return refuse(400, f"unreadable body ({exc.__class__.__name__})")
    return bytes(data)


def clean(text: str | None, limit: int | None = None) -> str | None:
    """``text`` safe to store: without NUL characters and lone surrogates, at most ``limit`` characters."""
    if text is None:
        return None
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit] if limit is not None else text
