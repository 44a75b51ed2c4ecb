"""Files the bot sends as document attachments (a ``/mydata`` export), kept a short while.

Each file gets a random, unguessable key (``<32 hex>.json``): Twilio fetches it for WhatsApp from
``{PUBLIC_URL}/documents/{key}``; Telegram uploads it from here; the terminal chat prints its path.
The retention job deletes files older than ``KEEP_DAYS``.
"""

from __future__ import annotations

import re
import secrets
import time

from bot.media import KeyedFiles

KEY_RE = re.compile(r"^[0-9a-f]{32}\.json$")
KEEP_DAYS = 7.0
CONTENT_TYPE = "application/json"


class DocumentStore(KeyedFiles):
    key_re = KEY_RE

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(16) + ".json"
        self.write(key, data)
        return key

    def prune(self, older_than_days: float = KEEP_DAYS, now: float | None = None) -> int:
        """Delete files older than that; how many."""
        if not self.root.is_dir():
            return 0
        limit = (time.time() if now is None else now) - older_than_days * 86400
        gone = 0
        for path in self.root.iterdir():
            if (KEY_RE.match(path.name) or path.name.endswith(".part")) and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                gone += 1
        return gone
