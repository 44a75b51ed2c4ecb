"""Shared pieces of the directory: steps, limits, the profile card for any channel, the search index over
profiles (the marketplace's ``SearchIndex`` with the directory's row loader), slugs, telling moderators."""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.i18n import LANGUAGES, N_, Translator
from bot.text.normalise import normalise_search, normalise_text
from bot.types import Button, Reply
from handlers.choices import country_name, craft_name
from handlers.directory.actions import HOME
from handlers.market.common import MODERATORS, channel_of, photo_media, t_for
from handlers.market.search import SearchIndex
from storage.directory import Profile, index_rows, slug_taken
from storage.market import load_photos, users_in_roles
from storage.models import User


class DirStep(StrEnum):
    KIND = "dir.kind"
    NAME = "dir.name"
    CRAFTS = "dir.crafts"
    CRAFT_TEXT = "dir.craft_text"
    STORY = "dir.story"
    PLACE = "dir.place"
    COUNTRY = "dir.country"
    PHOTOS = "dir.photos"
    CONTACT = "dir.contact"
    PUBLIC_CONTACT = "dir.public_contact"
    LANGUAGES = "dir.languages"
    PREVIEW = "dir.preview"
    SEARCH = "dir.search"
    RELAY = "dir.relay"
    REJECT = "dir.reject"
    CITATION = "dir.citation"


# The fields of a profile in the order they are asked (``craft_text`` and ``public_contact`` may stay empty).
FIELDS: tuple[str, ...] = ("kind", "name", "crafts", "craft_text", "story", "place", "country", "photos", "contact",
                           "languages")
FIELD_STEPS: dict[str, DirStep] = {
    "kind": DirStep.KIND, "name": DirStep.NAME, "crafts": DirStep.CRAFTS, "craft_text": DirStep.CRAFT_TEXT,
    "story": DirStep.STORY, "place": DirStep.PLACE, "country": DirStep.COUNTRY, "photos": DirStep.PHOTOS,
    "contact": DirStep.CONTACT, "languages": DirStep.LANGUAGES,
}
FIELD_LABELS = {
    "kind": N_("Person or group"), "name": N_("Name"), "crafts": N_("Crafts"), "craft_text": N_("Craft in your words"),
    "story": N_("Story"), "place": N_("Place"), "country": N_("Country"), "photos": N_("Photos"),
    "contact": N_("Contact"), "languages": N_("Languages"),
}
KIND_LABELS = {"person": N_("A person"), "group": N_("A group (cooperative, workshop)")}
STATUS_LABELS = {"pending": N_("waiting for review"), "active": N_("in the directory"),
                 "rejected": N_("not accepted"), "hidden": N_("hidden")}

NAME_MAX = 80
CRAFT_TEXT_MAX = 120
STORY_MAX = 500
PLACE_MAX = 120
CONTACT_MAX = 120
REASON_MAX = 300
CITATION_MAX = 200
MAX_PHOTOS = 3
PAGE = 3


def no_command(ctx: Context) -> bool:
    return ctx.msg.command is None


def is_moderator(ctx: Context) -> bool:
    return ctx.user.role in MODERATORS


def home_button(ctx: Context) -> Button:
    return Button(ctx._("Directory"), HOME.encode())


def clean_line(text: str) -> str:
    """Typed text on one line, normalised as everything users type."""
    return " ".join(normalise_text(text).split())


def search_text(data: dict[str, Any] | Profile) -> str:
    """What search reads of a profile (the crafts' names in every language are added by the index)."""
    get = data.get if isinstance(data, dict) else lambda k, d=None: getattr(data, k, d)
    parts = [get("name") or "", get("craft_text") or "", get("story") or "", get("location") or get("place") or ""]
    return normalise_search(" ".join(parts))


def search_index(ctx: Context) -> SearchIndex:
    """The directory's own index (one per process), built by the marketplace's implementation."""
    extras = ctx.deps.extras
    index = extras.get("directory_search")
    if not isinstance(index, SearchIndex):
        index = extras["directory_search"] = SearchIndex(loader=index_rows, live="active")
    return index


async def new_slug(session: AsyncSession, name: str) -> str:
    """A short web address for a profile: its name in Latin letters when it has some, and a random tail."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = "-".join(re.findall(r"[a-z0-9]+", ascii_name))[:40].strip("-") or "smce"
    while True:
        slug = f"{base}-{secrets.token_hex(2)}"
        if not await slug_taken(session, slug):
            return slug


def languages_text(codes: list[str]) -> str:
    return ", ".join(LANGUAGES[c].native_name for c in codes if c in LANGUAGES)


def card_text(t: Translator, data: dict[str, Any] | Profile) -> str:
    """A profile as text, from a draft's data or a stored profile."""
    get = data.get if isinstance(data, dict) else lambda k, d=None: getattr(data, k, d)
    crafts = ", ".join(craft_name(c, t) for c in get("crafts") or [])
    if get("craft_text"):
        crafts += f" · {get('craft_text')}"
    place = get("location") or get("place") or ""
    country, languages = get("country"), get("languages")
    if country:
        place += f" ({country_name(str(country), t)})"
    lines = [t.gettext(KIND_LABELS.get(get("kind") or "person", KIND_LABELS["person"])) + " · " + crafts,
             f"📍 {place}"]
    if languages:
        lines.append("🗣 " + languages_text(list(languages)))
    if get("story"):
        lines.append("\n" + str(get("story")))
    return "\n".join(lines)


async def profile_replies(session: AsyncSession, t: Translator, profile: Profile, channel: str | None, *,
                          extra: str = "", buttons: tuple[tuple[Button, ...], ...] = (),
                          kind: str = "reply") -> list[Reply]:
    """A profile as one message: its first photo, name, card and ``extra``."""
    photos = [m for p in await load_photos(session, profile.photos or []) if (m := photo_media(p, channel))]
    text = card_text(t, profile) + (f"\n\n{extra}" if extra else "")
    return [Reply(text=text, photo=photos[0] if photos else None, title=profile.name, kind=kind, buttons=buttons)]


async def send_to_moderators(ctx: Context, profile: Profile, note: str, buttons_for: Any) -> int:
    """Each moderator gets the profile in their language, with ``buttons_for(t)`` under it."""
    count = 0
    for mod in await users_in_roles(ctx.session, MODERATORS):
        if mod.id == ctx.user.id:
            continue
        t = t_for(mod)
        for reply in await profile_replies(ctx.session, t, profile, channel_of(mod), extra=t.gettext(note),
                                           buttons=buttons_for(t), kind="moderation"):
            ctx.send(mod, reply)
        count += 1
    return count


def owner_t(owner: User) -> Translator:
    return t_for(owner)
