"""The bot's own copy of pictures, so a photo sent on one channel can be shown on another.

Files are named by the hash of their bytes; Twilio fetches them from ``{PUBLIC_URL}/media/{key}``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ALLOWED_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
MAX_BYTES = 5 * 1024 * 1024
KEY_RE = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
CONTENT_TYPES = {ext: ctype for ctype, ext in ALLOWED_TYPES.items()}


class MediaRejected(ValueError):
    """Not a picture we keep (wrong type, too big, empty); ``reason`` is ``type`` or ``size``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def sniff_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class KeyedFiles:
    """Files in one folder under keys matching ``key_re``: written atomically, looked up safely (a key
    that does not match never reaches the file system). The media store and the document store share it."""

    key_re: re.Pattern[str]

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, key: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / (key + ".part")
        tmp.write_bytes(data)
        tmp.replace(self.root / key)

    def path(self, key: str) -> Path | None:
        if not self.key_re.match(key):
            return None
        path = self.root / key
        return path if path.is_file() else None


class MediaStore(KeyedFiles):
    key_re = KEY_RE

    def check(self, content_type: str | None, size: int | None) -> None:
        """Refuse early, from what the platform says, before fetching anything."""
        if content_type is not None and content_type.split(";")[0].strip().lower() not in ALLOWED_TYPES:
            raise MediaRejected("type", f"{content_type} is not a photo")
        if size is not None and size > MAX_BYTES:
            raise MediaRejected("size", f"{size} bytes is over {MAX_BYTES}")

    def save(self, data: bytes) -> str:
        """Keep the bytes of a photo; returns its key. The type is read from the bytes themselves."""
        if len(data) > MAX_BYTES:
            raise MediaRejected("size", f"{len(data)} bytes is over {MAX_BYTES}")
        content_type = sniff_type(data)
        if content_type is None:
            raise MediaRejected("type", "not a JPEG, PNG or WebP picture")
        key = hashlib.sha256(data).hexdigest()[:32] + ALLOWED_TYPES[content_type]
        if not (self.root / key).exists():
            self.write(key, data)
        return key

    @staticmethod
    def content_type(key: str) -> str:
        return CONTENT_TYPES.get("." + key.rsplit(".", 1)[-1], "application/octet-stream")
