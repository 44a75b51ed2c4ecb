"""One-time sign-in links to the trainer console: ``{PUBLIC_URL or http://HOST:PORT}/admin/login/<token>``.

The token is 32 random bytes (``secrets.token_urlsafe``); only its SHA-256 is stored. A link is valid for
``LINK_MINUTES`` and once. ``/web`` in chat (``handlers.console``) and ``smce-bot admin web-login`` make them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from storage.models import Role
from storage.sessions import add_login

LINK_MINUTES = 15
CONSOLE_ROLES = (Role.TRAINER, Role.ADMIN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def base_url(settings: Settings) -> str:
    """Where browsers reach this service: PUBLIC_URL, else http://HOST:PORT."""
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def may_sign_in(role: str | None) -> bool:
    return role in CONSOLE_ROLES


def issue_link(session: AsyncSession, user_id: int, settings: Settings, now: datetime) -> str:
    """A fresh one-time sign-in link for this user (the caller has checked their role)."""
    token = secrets.token_urlsafe(32)
    add_login(session, hash_token(token), user_id, now, now + timedelta(minutes=LINK_MINUTES))
    return f"{base_url(settings)}/admin/login/{token}"
