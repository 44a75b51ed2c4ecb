"""Rendering console pages: the language (``?lang=``, then a cookie, then the person's own), the words,
the filters read from the URL, and Jinja2 templates with autoescape (``aiohttp_jinja2``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.console.auth import ALLOWED, CONSOLE, TRAINER, VISITOR, Visitor
from bot.console.texts import Texts
from bot.i18n import LANGUAGES, normalise_language, translator
from storage.console import Filters

LANG_COOKIE = "smce_console_lang"


@dataclass(frozen=True)
class NavItem:
    """One link of the console's menu: a path inside ``/admin``, a key of ``TEXTS``, the role that sees it."""

    path: str
    text: str
    role: str
    order: int


NAV: list[NavItem] = []


def add_nav(path: str, text: str, role: str = TRAINER, order: int = 50) -> None:
    """Put a page in the menu (a feature's console module calls this beside its ``@page`` declarations)."""
    NAV.append(NavItem(path, text, role, order))
    NAV.sort(key=lambda item: item.order)


def menu(visitor: Visitor | None) -> list[NavItem]:
    """The menu items this person may open."""
    if visitor is None:
        return []
    return [item for item in NAV if visitor.user.role in ALLOWED[item.role]]
PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365, "all": None}
COUNTRY = re.compile(r"^[A-Z]{2}$")
WORD = re.compile(r"^[\w.-]{1,40}$")


def language(request: web.Request) -> str:
    visitor: Visitor | None = request.get(VISITOR)
    for candidate in (request.query.get("lang"), request.cookies.get(LANG_COOKIE),
                      visitor.user.language if visitor else None):
        code = normalise_language(candidate)
        if code:
            return code
    return "en"


def texts(request: web.Request) -> Texts:
    visitor: Visitor | None = request.get(VISITOR)
    return Texts(translator(language(request), visitor.user.timezone if visitor else None))


def filters(request: web.Request) -> Filters:
    """The filters in the URL (anything malformed is ignored)."""
    query = request.query
    country = query.get("country", "").upper()
    channel = query.get("channel", "")
    course = query.get("course", "")
    return Filters(days=PERIODS.get(query.get("period", "30"), 30),
                   country=country if COUNTRY.match(country) else None,
                   channel=channel if WORD.match(channel) else None,
                   course=course if WORD.match(course) else None)


def filter_query(request: web.Request) -> dict[str, str]:
    """The filters of this URL, to carry into links (exports, paging)."""
    return {k: v for k in ("period", "country", "channel", "course", "q")
            if (v := request.query.get(k, ""))}


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    visitor: Visitor | None = request.get(VISITOR)
    lang = language(request)
    base = dict(request.query)
    context.update(
        T=texts(request), visitor=visitor, nav=menu(visitor), csrf=visitor.csrf if visitor else "", lang=lang,
        languages=[(code, info.native_name, str(request.rel_url.with_query({**base, "lang": code})))
                   for code, info in LANGUAGES.items()],
        public_base=request.app[CONSOLE].base,
    )
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    if request.query.get("lang") and normalise_language(request.query["lang"]):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/admin", httponly=True, samesite="Lax")
    return response
