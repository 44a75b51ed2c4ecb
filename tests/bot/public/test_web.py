"""The public pages (``bot.public``): Open Graph tags, the page budget with a photo, 410 after the owner
withdraws consent or hides the item, escaping of hostile text, the language switcher, the directory page."""

from __future__ import annotations

import io
import random
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from sqlalchemy import select, update

from bot.context import ManualClock
from bot.service import Service
from storage.directory import Profile, ProfileStatus
from storage.market import Listing, ListingStatus, MarketPhoto, PhotoStatus
from storage.models import User

HOSTILE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_STORY = "<script>alert('story')</script> & more"
BASE = "https://bot.example.org"


def noisy_jpeg(width: int = 2400, height: int = 1600) -> bytes:
    """A photo that compresses badly (random noise): the worst case for the page budget."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


class Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and (found.get("property") or found.get("name")):
            self.meta[str(found.get("property") or found.get("name"))] = found.get("content") or ""
        if tag == "img":
            self.images.append(found.get("src") or "")


def parse(html: str) -> Meta:
    meta = Meta()
    meta.feed(html)
    return meta


@pytest.fixture
async def web(service: Service) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(service.web_app())) as client:
        yield client


async def owner_with_profile(service: Service, now: datetime, *, name: str = "Xang Khong Weavers",
                             story: str = "We weave natural-dye silk.", photo: bytes | None = None,
                             public: bool = True, language: str = "lo") -> tuple[int, str, int]:
    """(owner id, profile slug, listing id): an active profile with one active listing, both public."""
    async with service.db.transaction() as s:
        user = User(name="Noy", language=language, onboarded=True)
        s.add(user)
        await s.flush()
        photos: list[int] = []
        if photo is not None:
            row = MarketPhoto(user_id=user.id, channel="telegram", key=service.media.save(photo), attempts=0,
                              status=PhotoStatus.STORED, created_at=now)
            s.add(row)
            await s.flush()
            photos = [row.id]
        s.add(Profile(owner_id=user.id, slug="xang-khong-ab12", kind="group", name=name, crafts=["weaving"],
                      craft_text="", story=story, location="Ban Xang Khong, Luang Prabang", country="LA",
                      photos=photos, contact="relay", public_contact="", languages=["lo", "en"], language=language,
                      status=ProfileStatus.ACTIVE, public=public, search_text="", created_at=now, updated_at=now))
        listing = Listing(seller_id=user.id, name="Indigo scarf", description=story, price="150000", currency="LAK",
                          category="weaving", country="LA", location="Luang Prabang", contact="relay", photos=photos,
                          status=ListingStatus.ACTIVE, public=public, search_text="", created_at=now, updated_at=now,
                          expires_at=now + timedelta(days=30))
        s.add(listing)
        await s.flush()
        return user.id, "xang-khong-ab12", listing.id


async def test_profile_page_open_graph_and_budget(service: Service, web: TestClient, clock: ManualClock) -> None:
    _, slug, listing_id = await owner_with_profile(service, clock.now(), photo=noisy_jpeg())
    response = await web.get(f"/p/{slug}")
    assert response.status == 200
    html = await response.text()
    assert "<script" not in html.lower()
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    meta = parse(html)
    assert meta.meta["og:title"] == "Xang Khong Weavers"
    assert meta.meta["og:description"] == "We weave natural-dye silk."
    assert meta.meta["og:url"] == f"{BASE}/p/{slug}"
    assert meta.meta["og:image"] == f"{BASE}/p/{slug}/photo/0.jpg"
    assert meta.meta["twitter:card"] == "summary_large_image"
    assert 'lang="lo"' in html and '<a href="?lang=en"' in html  # the owner's language, with a switcher
    assert f"/l/{listing_id}" in html  # the profile's public products
    total = len(html.encode())
    for src in meta.images:
        photo = await web.get(src)
        assert photo.status == 200 and photo.headers["Content-Type"] == "image/jpeg"
        body = await photo.read()
        with Image.open(io.BytesIO(body)) as image:
            assert max(image.size) <= 640
        total += len(body)
    assert meta.images and total <= 150 * 1024, total
    english = await (await web.get(f"/p/{slug}?lang=en")).text()
    assert 'lang="en"' in english and "Languages" in english


async def test_listing_page_and_directory(service: Service, web: TestClient, clock: ManualClock) -> None:
    _, slug, listing_id = await owner_with_profile(service, clock.now(), language="en")
    response = await web.get(f"/l/{listing_id}")
    assert response.status == 200
    meta = parse(await response.text())
    assert meta.meta["og:title"] == "Indigo scarf" and meta.meta["og:url"] == f"{BASE}/l/{listing_id}"
    assert meta.meta["twitter:card"] == "summary_large_image"
    listed = await (await web.get("/directory")).text()
    assert f"/p/{slug}" in listed and "Xang Khong Weavers" in listed
    assert (await web.get("/l/999999")).status == 404
    assert (await web.get("/p/nobody-0000")).status == 404
    assert (await web.get("/l/abc")).status == 404


async def test_gone_after_withdrawal_and_after_hiding(service: Service, web: TestClient, clock: ManualClock) -> None:
    owner_id, slug, listing_id = await owner_with_profile(service, clock.now(), photo=noisy_jpeg(300, 200))
    assert (await web.get(f"/p/{slug}")).status == 200
    async with service.db.transaction() as s:
        await s.execute(update(Profile).where(Profile.owner_id == owner_id).values(public=False))
        await s.execute(update(Listing).where(Listing.id == listing_id).values(status=ListingStatus.SOLD))
    assert (await web.get(f"/p/{slug}")).status == 410
    assert (await web.get(f"/p/{slug}/photo/0.jpg")).status == 410
    assert (await web.get(f"/l/{listing_id}")).status == 410
    assert slug not in await (await web.get("/directory")).text()
    async with service.db.transaction() as s:
        await s.execute(update(Profile).where(Profile.owner_id == owner_id)
                        .values(public=True, status=ProfileStatus.HIDDEN))
    assert (await web.get(f"/p/{slug}")).status == 410


async def test_hostile_names_and_stories_are_escaped(service: Service, web: TestClient, clock: ManualClock) -> None:
    _, slug, _ = await owner_with_profile(service, clock.now(), name=HOSTILE_NAME, story=HOSTILE_STORY)
    html = await (await web.get(f"/p/{slug}")).text()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert parse(html).meta["og:title"] == HOSTILE_NAME  # as text, inside a quoted attribute
    assert not re.search(r"<img[^>]*onerror", html)
    async with service.db.read() as s:
        assert (await s.scalars(select(Profile))).one().name == HOSTILE_NAME
