"""An announcement composed in the console: the compose form read into a draft (text, photo, buttons, the
audience's filters, each checked against the same lists the chat offers), the choice of when, and the
preview per audience language on each channel. The pages are ``handlers.announcements.pages``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from bot.config import Settings
from bot.console.preview import Bubble, telegram_bubbles, whatsapp_bubbles, whatsapp_template
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, normalise_language, translator
from bot.media import MediaRejected, MediaStore
from content import Library
from handlers.announcements.compose import LINK_LABEL_MAX, TEXT_MAX, announcement
from handlers.announcements.schedule import when_problem
from handlers.choices import COUNTRIES, COUNTRY_TIMEZONE, CRAFTS
from storage.announcements import COURSE_STATES, ROLES, Broadcast

Form = MultiDictProxy[str | bytes | bytearray | FileField]

CHANNELS = ("telegram", "whatsapp", "terminal")
ACTIVE_DAYS = (7, 30, 90, 365)
URL_RE = re.compile(r"^https?://[^\s<>\"']{3,490}$")
PROVINCE_MAX = 100

NO_TEXT = N_("Write the text of the announcement (or attach a photo).")
TOO_LONG = N_("The text is too long: at most {max} characters.")
BAD_URL = N_("The link must be a web address starting with https:// or http://.")
BAD_PHOTO = N_("The photo must be a JPEG, PNG or WebP picture of at most 2 MB.")
BAD_WHEN = N_("Give a date and a time.")


def _field(form: Form, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def read_audience(form: Form | Any, library: Library) -> dict[str, Any]:
    """The filters of the form (or of a URL's query), keeping only known values."""
    audience: dict[str, Any] = {}
    pick = {"language": tuple(LANGUAGES), "country": COUNTRIES, "craft": tuple(CRAFTS), "channel": CHANNELS,
            "role": ROLES}
    for key, allowed in pick.items():
        value = _field(form, key, 40)
        if value in allowed:
            audience[key] = value
    province = " ".join(_field(form, "province", PROVINCE_MAX).split())
    if province:
        audience["province"] = province
    course = _field(form, "course", 40)
    if course in library.courses:
        audience["course"] = course
        state = _field(form, "course_state", 20)
        audience["course_state"] = state if state in COURSE_STATES else "enrolled"
    days = _field(form, "active_days", 5)
    if days.isdigit() and int(days) in ACTIVE_DAYS:
        audience["active_days"] = int(days)
    return audience


def read_draft(form: Form, b: Broadcast, library: Library, media: MediaStore) -> list[str]:
    """Apply the compose form to the draft; the problems found (messages to translate), nothing applied
    for a field that has one."""
    problems: list[str] = []
    text = _field(form, "text", TEXT_MAX + 1).replace("\r\n", "\n")
    if len(text) > TEXT_MAX:
        problems.append(TOO_LONG)
    else:
        b.text = text
    upload = form.get("photo")
    if isinstance(upload, FileField) and upload.filename:
        try:
            b.photo = {"kind": "photo", "key": media.save(upload.file.read())}
        except (MediaRejected, OSError):
            problems.append(BAD_PHOTO)
    elif form.get("remove_photo"):
        b.photo = None
    if not b.text and not b.photo:
        problems.append(NO_TEXT)
    b.button = bool(form.get("interested"))
    links: list[dict[str, Any]] = []
    url = _field(form, "link_url", 500)
    if url:
        if URL_RE.match(url):
            links.append({"kind": "link", "label": _field(form, "link_label", LINK_LABEL_MAX), "url": url})
        else:
            problems.append(BAD_URL)
    course = _field(form, "course_button", 40)
    if course in library.courses:
        links.append({"kind": "course", "course": course})
    b.links = links or None
    b.audience = read_audience(form, library)
    return problems


def read_problems(b: Broadcast) -> list[str]:
    """What keeps a draft from going out (messages to translate): nothing to send, or too long."""
    if not b.text and not b.photo:
        return [NO_TEXT]
    if len(b.text) > TEXT_MAX:
        return [TOO_LONG]
    return []


def link_fields(b: Broadcast) -> dict[str, str]:
    """The draft's buttons as the form's values."""
    found = {"link_label": "", "link_url": "", "course_button": ""}
    for item in b.links or []:
        if isinstance(item, dict) and item.get("kind") == "link":
            found["link_label"], found["link_url"] = str(item.get("label") or ""), str(item.get("url") or "")
        elif isinstance(item, dict) and item.get("kind") == "course":
            found["course_button"] = str(item.get("course") or "")
    return found


@dataclass(frozen=True)
class When:
    now: bool
    at: datetime | None  # UTC; None when sending now
    zone: str
    local: str  # as typed: "2026-12-24 09:00"


def zones(default: str) -> list[str]:
    """Time zones to pick from: the trainer's first, then each country's, then UTC."""
    return list(dict.fromkeys([default, *COUNTRY_TIMEZONE.values(), "UTC"]))


def read_when(form: Form | Any, now: datetime, default_zone: str) -> tuple[When | None, str | None]:
    """Send now, or a date and time in a zone → (when, None), or (None, a problem to translate)."""
    if _field(form, "when", 10) != "later":
        return When(True, None, default_zone, ""), None
    zone_name = _field(form, "zone", 40) or default_zone
    try:
        zone = ZoneInfo(zone_name)
        day = date.fromisoformat(_field(form, "date", 10))
        clock = time.fromisoformat(_field(form, "time", 8))
    except (ZoneInfoNotFoundError, ValueError):
        return None, BAD_WHEN
    at = datetime.combine(day, clock.replace(second=0, microsecond=0), zone).astimezone(ZoneInfo("UTC"))
    problem = when_problem(at, now)
    if problem is not None:
        return None, problem
    return When(False, at, zone_name, f"{day.isoformat()} {clock.strftime('%H:%M')}"), None


@dataclass(frozen=True)
class Preview:
    language: str
    name: str
    people: int
    telegram: list[Bubble]
    whatsapp: list[Bubble]
    template: str | None  # outside the 24-hour window (None: held until they write)


def previews(b: Broadcast, languages: dict[str, int], fallback: str, library: Library,
             settings: Settings) -> list[Preview]:
    """The announcement in each audience language (most people first), as each channel shows it."""
    merged: dict[str, int] = {}
    for code, people in languages.items():
        language = normalise_language(code) or DEFAULT_LANGUAGE
        merged[language] = merged.get(language, 0) + people
    ordered = sorted(merged.items(), key=lambda item: -item[1]) or [(fallback, 0)]
    out = []
    for code, people in ordered:
        t = translator(code)
        reply = announcement(b, t, library)
        out.append(Preview(t.language, LANGUAGES[t.language].native_name, people, telegram_bubbles(reply),
                           whatsapp_bubbles(reply, t.language), whatsapp_template(reply, settings)))
    return out
