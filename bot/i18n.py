"""Translation and locale formats (gettext catalogs compiled with babel).

Handlers write ``ctx._("Hello {name}", name=...)``; module-level strings are marked with ``N_`` and
translated when used. Catalogs live in ``bot/locale/<lang>/LC_MESSAGES/messages.po`` (see README).
"""

from __future__ import annotations

import gettext
import unicodedata
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    native_name: str
    babel_locale: str
    timezone: str


# Language names in their own script: a user who reads only Lao still finds ພາສາລາວ.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "en", "Asia/Singapore"),
        Language("lo", "ພາສາລາວ", "lo_LA", "Asia/Vientiane"),
        Language("km", "ភាសាខ្មែរ", "km_KH", "Asia/Phnom_Penh"),
        Language("vi", "Tiếng Việt", "vi_VN", "Asia/Ho_Chi_Minh"),
        Language("th", "ภาษาไทย", "th_TH", "Asia/Bangkok"),
        Language("id", "Bahasa Indonesia", "id_ID", "Asia/Jakarta"),
        Language("ms", "Bahasa Melayu", "ms_MY", "Asia/Kuala_Lumpur"),
        Language("my", "မြန်မာဘာသာ", "my_MM", "Asia/Yangon"),
        Language("fil", "Filipino", "fil_PH", "Asia/Manila"),
    )
}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def normalise_language(code: str | None) -> str | None:
    """``en-US`` → ``en``; ``tl`` → ``fil``; unknown → ``None``."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    base = {"tl": "fil", "bur": "my", "khm": "km", "lao": "lo", "in": "id"}.get(base, base)
    return base if base in LANGUAGES else None


def normalise_text(text: str) -> str:
    """NFC, so Lao/Khmer/Thai/Burmese typed on different keyboards compare equal."""
    return unicodedata.normalize("NFC", text)


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


class Translator:
    """Everything language-dependent for one user: strings, numbers, prices and dates."""

    def __init__(self, language: str | None = None, timezone: str | None = None) -> None:
        self.language = normalise_language(language) or DEFAULT_LANGUAGE
        info = LANGUAGES[self.language]
        self.locale = Locale.parse(info.babel_locale)
        self.tz: tzinfo = ZoneInfo(timezone or info.timezone)
        self._catalog = _catalog(self.language)

    def gettext(self, message: str, /, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **values)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def price(self, amount: Decimal | int | float, currency: str) -> str:
        return format_currency(amount, currency, locale=self.locale)

    def datetime(self, moment: datetime, format: str = "medium") -> str:
        return format_datetime(moment, format=format, tzinfo=self.tz, locale=self.locale)


@cache
def translator(language: str | None, timezone: str | None = None) -> Translator:
    return Translator(language, timezone)
