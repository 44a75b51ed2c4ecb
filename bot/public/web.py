"""The public pages' routes: ``GET /p/<slug>``, ``/l/<id>``, ``/directory`` and their photos
(``/p/<slug>/photo/<n>.jpg``, ``/l/<id>/photo/<n>.jpg``). See the package's docstring."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.i18n import LANGUAGES, Translator, normalise_language, translator
from bot.media import MediaStore
from bot.public.images import PublicPhotos
from bot.public.texts import TEXTS
from storage.db import Database
from storage.directory import (
    Profile,
    ProfileStatus,
    active_profiles,
    featured_of,
    live_listings_of,
    profile_by_owner,
    profile_by_slug,
)
from storage.market import Listing, ListingStatus, listing_of, load_photos
from storage.models import User

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "public, max-age=300",
}
DESCRIPTION_MAX = 200
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                         undefined=jinja2.StrictUndefined)


def short(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class PublicPages:
    def __init__(self, db: Database, media: MediaStore, public_url: str | None, crafts: Mapping[str, str]) -> None:
        self.db, self.public_url, self.crafts = db, public_url, crafts
        self.photos = PublicPhotos(media)

    # --- helpers ---------------------------------------------------------------------------------------------
    def base(self, request: web.Request) -> str:
        return self.public_url or f"{request.scheme}://{request.host}"

    @staticmethod
    def language(request: web.Request, default: str | None) -> str:
        return normalise_language(request.query.get("lang")) or normalise_language(default) or "en"

    def render(self, template: str, status: int = 200, **values: Any) -> web.Response:
        t: Translator = values["translator"]
        words = {key: t.gettext(msgid) for key, msgid in TEXTS.items()}
        html = ENV.get_template(template).render(t=words, lang=t.language, og=values.pop("og", None),
                                                 languages=[(c, lang.native_name) for c, lang in LANGUAGES.items()],
                                                 **values)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                            headers=HEADERS)

    def gone(self, request: web.Request, status: int = 410) -> web.Response:
        t = translator(self.language(request, None))
        heading = t.gettext(TEXTS["gone_title"] if status == 410 else TEXTS["not_found"])
        return self.render("gone.html", status, translator=t, title=heading, heading=heading,
                           text=t.gettext(TEXTS["gone_text"]) if status == 410 else "")

    def place(self, t: Translator, location: str, country: str | None) -> str:
        name = t.locale.territories.get(country or "")
        return f"{location} ({name})" if name and str(name) not in location else location

    async def photo_keys(self, session: Any, ids: list[Any]) -> list[str]:
        return [p.key for p in await load_photos(session, ids) if p.key]

    # --- pages -----------------------------------------------------------------------------------------------
    async def profile_page(self, request: web.Request) -> web.Response:
        async with self.db.read() as session:
            profile = await profile_by_slug(session, request.match_info["slug"][:80])
            if profile is None:
                return self.gone(request, 404)
            if not (profile.public and profile.status == ProfileStatus.ACTIVE):
                return self.gone(request)
            listings = await live_listings_of(session, profile.owner_id, public_only=True)
            keys = await self.photo_keys(session, profile.photos or [])
            featured = await featured_of(session, "profile", profile.id)
        t = translator(self.language(request, profile.language))
        base = self.base(request)
        photos = [f"/p/{profile.slug}/photo/{n}.jpg" for n in range(len(keys))]
        crafts = ", ".join(t.gettext(self.crafts.get(c, c)) for c in profile.crafts or [])
        if profile.craft_text:
            crafts += f" · {profile.craft_text}"
        og = {"type": "profile", "title": profile.name, "description": short(profile.story or crafts),
              "url": f"{base}/p/{profile.slug}", "image": f"{base}{photos[0]}" if photos else "",
              "locale": LANGUAGES[t.language].babel_locale}
        spoken = ", ".join(LANGUAGES[c].native_name for c in profile.languages or [] if c in LANGUAGES)
        return self.render("profile.html", translator=t, title=profile.name, og=og, profile=profile,
                           kind=t.gettext(TEXTS.get(profile.kind, TEXTS["person"])), crafts=crafts, photos=photos,
                           place=self.place(t, profile.location, profile.country), languages_spoken=spoken,
                           listings=listings, citation=featured.citation if featured else "")

    async def listing_page(self, request: web.Request) -> web.Response:
        try:
            listing_id = int(request.match_info["id"])
        except ValueError:
            return self.gone(request, 404)
        async with self.db.read() as session:
            listing = await listing_of(session, listing_id) if 0 < listing_id < 2**31 else None
            if listing is None:
                return self.gone(request, 404)
            if not (listing.public and listing.status == ListingStatus.ACTIVE):
                return self.gone(request)
            seller = await session.get(User, listing.seller_id)
            profile = await profile_by_owner(session, listing.seller_id)
            keys = await self.photo_keys(session, listing.photos or [])
            featured = await featured_of(session, "listing", listing.id)
        shown_profile = profile if profile and profile.public and profile.status == ProfileStatus.ACTIVE else None
        t = translator(self.language(request, seller.language if seller else None))
        base = self.base(request)
        photos = [f"/l/{listing.id}/photo/{n}.jpg" for n in range(len(keys))]
        try:
            price = t.price(Decimal(listing.price), listing.currency)
        except (InvalidOperation, ValueError):
            price = f"{listing.price} {listing.currency}"
        og = {"type": "product", "title": listing.name, "description": short(listing.description),
              "url": f"{base}/l/{listing.id}", "image": f"{base}{photos[0]}" if photos else "",
              "locale": LANGUAGES[t.language].babel_locale}
        return self.render("listing.html", translator=t, title=listing.name, og=og, listing=listing, price=price,
                           craft=t.gettext(self.crafts.get(listing.category, listing.category)), photos=photos,
                           place=self.place(t, listing.location, listing.country), profile=shown_profile,
                           citation=featured.citation if featured else "")

    async def directory_page(self, request: web.Request) -> web.Response:
        async with self.db.read() as session:
            _, found = await active_profiles(session, public_only=True, limit=200)
        t = translator(self.language(request, None))
        base = self.base(request)
        listed = [{"slug": p.slug, "name": p.name, "place": self.place(t, p.location, p.country)} for p in found]
        og = {"type": "website", "title": t.gettext(TEXTS["directory"]), "url": f"{base}/directory", "image": "",
              "description": t.gettext(TEXTS["directory_intro"]), "locale": LANGUAGES[t.language].babel_locale}
        return self.render("directory.html", translator=t, title=t.gettext(TEXTS["directory"]), og=og,
                           profiles=listed)

    # --- photos ----------------------------------------------------------------------------------------------
    async def photo(self, request: web.Request, item: Profile | Listing | None) -> web.StreamResponse:
        live = item is not None and item.public and item.status == (
            ProfileStatus.ACTIVE if isinstance(item, Profile) else ListingStatus.ACTIVE)
        if item is None or not live:
            raise web.HTTPGone(headers=HEADERS)
        async with self.db.read() as session:
            keys = await self.photo_keys(session, item.photos or [])
        n = int(request.match_info["n"])
        data = await self.photos.get(keys[n]) if n < len(keys) else None
        if data is None:
            raise web.HTTPNotFound(headers=HEADERS)
        return web.Response(body=data, content_type="image/jpeg", headers=HEADERS)

    async def profile_photo(self, request: web.Request) -> web.StreamResponse:
        async with self.db.read() as session:
            profile = await profile_by_slug(session, request.match_info["slug"][:80])
        return await self.photo(request, profile)

    async def listing_photo(self, request: web.Request) -> web.StreamResponse:
        async with self.db.read() as session:
            listing = await listing_of(session, int(request.match_info["id"]))
        return await self.photo(request, listing)


def routes(db: Database, media: MediaStore, public_url: str | None, crafts: Mapping[str, str]) -> list[web.RouteDef]:
    pages = PublicPages(db, media, public_url, crafts)
    return [
        web.get("/p/{slug}", pages.profile_page),
        web.get("/l/{id}", pages.listing_page),
        web.get("/directory", pages.directory_page),
        web.get(r"/p/{slug}/photo/{n:\d}.jpg", pages.profile_photo),
        web.get(r"/l/{id:\d{1,9}}/photo/{n:\d}.jpg", pages.listing_photo),
    ]
