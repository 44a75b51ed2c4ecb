"""Photos as a person can afford them: the one place in the core where an outgoing photo is fitted.

Every channel's sender is wrapped (``LightSender``) when the service starts, so whichever feature wrote the
reply (a lesson, a listing, an announcement), just before it goes out:

- with the person's **data saver** on, a photo we hold (``Media.key``) goes as a light copy (JPEG, at most
  ``LIGHT_PIXELS`` on its longer side and ``LIGHT_BYTES``), kept in the media store under a key derived
  from the original's, so it is made once; the text says how big the full photo is and how to get it
  (``/photo``; on channels whose buttons carry their payload, also a button ``photo:full:<row id>``);
- never a photo over the platform's limit (``PHOTO_LIMITS``): a smaller copy goes instead, or none;
- every photo over ``NOTE_BYTES`` states its size.

The stored outbox row keeps the original reply: ``/photo`` sends that one (kind ``FULL_KIND``, never
lightened). Sizes are known for photos we hold; a platform's own reference (a Telegram ``file_id`` with no
copy of ours yet) goes as it is, with its size if the platform told us.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from dataclasses import replace
from typing import Any

from PIL import Image, ImageOps

from bot.i18n import N_, Translator, translator
from bot.media import MediaStore
from bot.outbox.sender import Delivery, Sender
from bot.types import Button, Media, Reply, Sent
from storage.data_saver import saver_of
from storage.db import Database

log = logging.getLogger(__name__)

KB = 1024
LIGHT_BYTES = 30 * KB
LIGHT_PIXELS = 640
NOTE_BYTES = 100 * KB
# What each platform accepts for a photo: Telegram sendPhoto 10 MB; WhatsApp (Meta, through Twilio) 5 MB.
PHOTO_LIMITS = {"telegram": 10 * KB * KB, "whatsapp": 5 * KB * KB}
FIT_PIXELS = 2048  # a photo over its platform's limit is re-encoded at most this big
FULL_KIND = "photo"  # a photo someone asked for in full: never lightened
FULL_PAYLOAD = "photo:full"  # + ":<outbox row id>"; handlers.data_saver answers it

LIGHT_NOTE = N_("Light photo ({size}) to save data. Full photo: {full}, send /photo to see it.")
SIZE_NOTE = N_("Photo: {size}")
TOO_LARGE = N_("A photo was left out: at {size} it is too large to send here.")
SHOW_FULL = N_("Full photo ({size})")


def size_text(t: Translator, size: int) -> str:
    if size >= KB * KB:
        return t.gettext("{size} MB", size=t.number(round(size / (KB * KB), 1)))
    return t.gettext("{size} KB", size=t.number(max(1, round(size / KB))))


def encode(data: bytes, max_bytes: int, max_pixels: int) -> bytes | None:
    """A JPEG of the picture in ``data`` at most ``max_pixels`` on its longer side and, lowering the quality
    and then the size, at most ``max_bytes``; None if the bytes are not a picture Pillow reads."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.draft("RGB", (max_pixels, max_pixels))  # JPEG: decode at a fraction of full size
            picture = ImageOps.exif_transpose(source)
            if picture.mode in ("RGBA", "LA", "P"):
                picture = picture.convert("RGBA")
                flat = Image.new("RGB", picture.size, "white")
                flat.paste(picture, mask=picture.getchannel("A"))
                picture = flat
            picture = picture.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    side = max_pixels
    best = b""
    while True:
        copy = picture.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in (80, 65, 50, 38, 28):
            out = io.BytesIO()
            copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            best = out.getvalue()
            if len(best) <= max_bytes:
                return best
        side = int(side * 0.75)
        if side < 96:
            return best if len(best) <= max_bytes else None


def derived_key(key: str, purpose: str) -> str:
    """The media-store key of a copy of ``key`` made for ``purpose`` (the same every time: made once)."""
    return hashlib.sha256(f"{purpose}:{key}".encode()).hexdigest()[:32] + ".jpg"


class Light:
    """Makes and keeps the smaller copies of photos in the media store."""

    def __init__(self, store: MediaStore) -> None:
        self.store = store

    def size(self, media: Media) -> int | None:
        path = self.store.path(media.key) if media.key else None
        return path.stat().st_size if path is not None else media.size

    def copy(self, key: str, purpose: str, max_bytes: int, max_pixels: int) -> Media | None:
        """A copy of photo ``key`` within ``max_bytes`` and ``max_pixels`` (made now or earlier), or None."""
        target = derived_key(key, purpose)
        path = self.store.path(target)
        if path is None:
            original = self.store.path(key)
            data = encode(original.read_bytes(), max_bytes, max_pixels) if original is not None else None
            if data is None:
                return None
            self.store.write(target, data)
            path = self.store.path(target)
        return Media("photo", key=target, content_type="image/jpeg", size=path.stat().st_size) if path else None

    def shape(self, reply: Reply, *, channel: str, saver: bool, t: Translator, row_id: int | None = None,
              button: bool = False) -> Reply:
        """``reply`` as it should go to this person on ``channel`` (unchanged if it has no photo)."""
        photo = reply.photo
        if photo is None:
            return reply
        size = self.size(photo)
        notes: list[str] = []
        buttons = reply.buttons
        if saver and reply.kind != FULL_KIND and photo.key and size is not None and size > LIGHT_BYTES:
            light = self.copy(photo.key, "light", LIGHT_BYTES, LIGHT_PIXELS)
            if light is not None and light.size is not None:
                notes.append(t.gettext(LIGHT_NOTE, size=size_text(t, light.size), full=size_text(t, size)))
                if button and row_id is not None:
                    label = t.gettext(SHOW_FULL, size=size_text(t, size))
                    buttons = (*buttons, (Button(label, f"{FULL_PAYLOAD}:{row_id}"),))
                photo, size = light, light.size
        limit = PHOTO_LIMITS.get(channel)
        if limit is not None and size is not None and size > limit:
            fitted = self.copy(photo.key, "fit", limit, FIT_PIXELS) if photo.key else None
            if fitted is None:
                notes.append(t.gettext(TOO_LARGE, size=size_text(t, size)))
                return replace(reply, photo=None, text=joined(reply.text, notes), buttons=buttons)
            photo, size = fitted, fitted.size
        if size is not None and size > NOTE_BYTES and not notes:
            notes.append(t.gettext(SIZE_NOTE, size=size_text(t, size)))
        return replace(reply, photo=photo, text=joined(reply.text, notes), buttons=buttons)


def joined(text: str, notes: list[str]) -> str:
    return "\n\n".join([text, *notes]) if text and notes else text or "\n".join(notes)


class LightSender:
    """A channel's sender with every photo fitted first (``Light.shape``). ``buttons``: the channel's buttons
    carry their payload (Telegram), so the "Full photo" button works without a numbered menu."""

    def __init__(self, inner: Sender, light: Light, db: Database, *, buttons: bool) -> None:
        self.inner = inner
        self.light = light
        self.db = db
        self.buttons = buttons
        self.channel = inner.channel
        self.rate = inner.rate
        self.address_rate = inner.address_rate
        self.address_burst = inner.address_burst

    def __getattr__(self, name: str) -> Any:  # ``addresses`` and anything else a channel's sender offers
        return getattr(self.inner, name)

    async def send(self, delivery: Delivery) -> Sent:
        if delivery.reply.photo is not None:
            delivery = replace(delivery, reply=await self.fitted(delivery))
        return await self.inner.send(delivery)

    async def fitted(self, d: Delivery) -> Reply:
        saver, language = False, None
        if d.user_id is not None:
            async with self.db.read() as session:
                found = await saver_of(session, d.user_id)
            if found is not None:
                saver, language = found
        t = translator(language)
        return await asyncio.to_thread(self.light.shape, d.reply, channel=d.channel, saver=saver, t=t, row_id=d.id,
                                       button=self.buttons)
