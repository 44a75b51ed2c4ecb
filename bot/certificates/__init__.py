"""Certificates of course completion: who issues them, their verify link, how their code is shown.

``render`` draws the image, ``web`` is the public ``GET /verify/<code>`` page, ``cli`` the ``smce-bot verify``
and ``smce-bot certificates`` commands; the records are in ``storage.certificates`` and the chat side
(issuing on completion, ``/certificates``) in ``handlers.certificates``.

Environment: ``CERT_ISSUER`` (the organisation named as issuer, default "SMCE Skills Programme") and
``CERT_LOGO`` (optional path of a PNG/JPEG logo drawn at the top).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

DEFAULT_ISSUER = "SMCE Skills Programme"


@dataclass(frozen=True)
class Issuer:
    name: str
    logo: Path | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Issuer:
        env = os.environ if env is None else env
        logo = (env.get("CERT_LOGO") or "").strip()
        return cls((env.get("CERT_ISSUER") or "").strip() or DEFAULT_ISSUER, Path(logo) if logo else None)


def base_url(settings: Settings) -> str:
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def verify_url(settings: Settings, code: str) -> str:
    return f"{base_url(settings)}/verify/{code}"


def show_code(code: str) -> str:
    """``ABCDE-FGHJK``: easier to read aloud and type (the dash is ignored when checking)."""
    return f"{code[:5]}-{code[5:]}" if len(code) > 5 else code
