"""Photos for public pages: the media store's copy shrunk to a JPEG of at most ``BUDGET`` bytes (so a page
with three photos stays under 150 KB), made once and kept beside the originals (``<media dir>/public/``,
named after the original's key: the hash of its bytes, so a kept copy never goes stale)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image, ImageOps

from bot.media import MediaStore

WIDTH = 640  # pixels, the longer side at first
BUDGET = 40_000  # bytes per photo
MAX_PIXELS = 40_000_000  # a decompression bomb is not a photo we shrink


def fit(source: Path, budget: int = BUDGET, width: int = WIDTH) -> bytes:
    """A JPEG of the picture at ``source`` of at most ``budget`` bytes: smaller and lower quality until it fits."""
    with Image.open(source) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width}x{image.height} is too many pixels")
        image.draft("RGB", (width, width))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    size = width
    while True:
        copy = upright.copy()
        copy.thumbnail((size, size))
        for quality in (75, 60, 45, 35):
            out = io.BytesIO()
            copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= budget or size <= 120:
                return out.getvalue()
        size = int(size * 0.75)


class PublicPhotos:
    """Shrunk copies, made on first request (in a thread: Pillow is not async) and kept on disk."""

    def __init__(self, media: MediaStore) -> None:
        self.media = media
        self.root = media.root / "public"

    async def get(self, key: str) -> bytes | None:
        kept = self.root / f"{key}.jpg"
        if kept.exists():
            return kept.read_bytes()
        source = self.media.path(key)
        if source is None:
            return None
        try:
            data = await asyncio.to_thread(fit, source)
        except (OSError, ValueError):
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(kept)
        return data
