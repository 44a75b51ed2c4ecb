"""What the console's action pages share: reading a posted form safely, and answering a POST with a
redirect back to the page it came from (post/redirect/get), carrying a notice by its key only.

A notice is ``?done=<key>&n=<record id>`` on the page's URL: the page shows the text of that key from its
own ``NOTICES`` (never text taken from the URL), so nothing a visitor types is ever reflected back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aiohttp import web
from yarl import URL

from bot.console.texts import Texts

NOTICE_KEY = re.compile(r"^[a-z_]{1,30}$")
BACK = re.compile(r"^/admin(/[\w./%?=&+:-]*)?$")

Form = Mapping[str, object]  # a posted form (``await request.post()``)


def field(form: Form, name: str, limit: int = 2000) -> str:
    """A text field of the posted form, stripped and cut at ``limit`` characters ("" if missing or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def number(value: str | None) -> int | None:
    try:
        found = int(value or "")
    except ValueError:
        return None
    return found if 0 < found < 2**31 else None


def back_to(form: Form, default: str, done: str,
            record: int | None = None) -> web.HTTPSeeOther:
    """The redirect after an action: to the form's ``back`` page when it is a console page, else ``default``,
    with the notice ``done`` (about ``record``)."""
    back = field(form, "back", 500)
    target = URL(back if BACK.match(back) and "//" not in back else default)
    query = {k: v for k, v in target.query.items() if k not in ("done", "n")}
    query["done"] = done
    if record is not None:
        query["n"] = str(record)
    return web.HTTPSeeOther(str(target.with_query(query)))


def notice(request: web.Request, texts: Texts, notices: Mapping[str, tuple[str, bool]]) -> dict[str, object] | None:
    """The notice asked for by the URL, as ``{"text", "error"}`` for the template; None if none or unknown.
    ``notices`` maps a key to (a ``TEXTS`` key whose text may use ``{number}``, whether it is an error)."""
    key = request.query.get("done", "")
    if not NOTICE_KEY.match(key) or key not in notices:
        return None
    text_key, error = notices[key]
    record = number(request.query.get("n"))
    return {"text": texts.get(text_key, number=record if record is not None else "?"), "error": error}
