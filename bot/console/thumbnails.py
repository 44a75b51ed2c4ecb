"""Small copies of the media store's photos for console pages (the moderation queue): made with Pillow the
first time one is asked for, kept beside the originals (``<media dir>/thumbs/``, named after the original's
key, which is the hash of its bytes, so a kept copy never goes stale) and served from there afterwards."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from pathlib import Path

from PIL import Image, ImageOps

from bot.media import KeyedFiles, MediaStore

log = logging.getLogger(__name__)

SIZE = 240  # pixels, the longer side
MAX_PIXELS = 40_000_000  # a 5 MB file claiming more is not a photo we shrink (a decompression bomb)
THUMB_RE = re.compile(r"^[0-9a-f]{32}-\d{2,4}\.jpg$")

# Shown when there is no copy (yet): a Telegram photo not fetched yet, or one that could not be kept.
PLACEHOLDER = (b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
               b'<rect width="240" height="240" fill="#e3e5ea"/><path d="M70 165l35-45 25 30 20-20 30 35z" '
               b'fill="#9aa3b2"/><circle cx="160" cy="90" r="14" fill="#9aa3b2"/></svg>')


def shrink(source: Path, size: int = SIZE) -> bytes:
    """A JPEG of the picture at ``source``, its longer side ``size`` pixels at most, turned upright."""
    with Image.open(source) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width}x{image.height} is too many pixels")
        image.draft("RGB", (size, size))  # JPEG: decode at a fraction of the size, much faster
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((size, size))
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


class Thumbnails(KeyedFiles):
    key_re = THUMB_RE

    def __init__(self, store: MediaStore, size: int = SIZE) -> None:
        super().__init__(store.root / "thumbs")
        self.store = store
        self.size = size

    def made(self, key: str) -> Path | None:
        """The thumbnail of the photo with this media-store key, made now if not kept yet; None if there is
        no such photo or it cannot be read as a picture."""
        source = self.store.path(key)
        if source is None:
            return None
        name = f"{key.rsplit('.', 1)[0]}-{self.size}.jpg"
        kept = self.path(name)
        if kept is not None:
            return kept
        try:
            self.write(name, shrink(source, self.size))
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            log.warning("no thumbnail of %s: %r", key, exc)
            return None
        return self.path(name)

    async def get(self, key: str) -> Path | None:
        """``made`` off the event loop (a 12-megapixel JPEG takes ~0.1 s to shrink, once)."""
        return await asyncio.to_thread(self.made, key)
