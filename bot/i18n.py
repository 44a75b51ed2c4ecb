"""Translation and locale formats (gettext catalogs compiled with babel).

Handlers write ``ctx._("Hello {name}", name=...)``; module-level strings are marked with ``N_`` and
translated when used. Catalogs live in ``bot/locale/<lang>/LC_MESSAGES/messages.po`` (see README).
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from bot.text.digits import native

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"

# The symbol people in the region write for each currency. CLDR gives the symbol only in the currency's
# home locale and falls back to the ISO code elsewhere ("LAK150,000" for an English reader, "THB350" in
# Lao); a code reads like a bank statement, so prices always show the symbol. Whole amounts drop the
# ".00" (kip, riel, dong, rupiah and kyat have no coins in use; "฿350" is how a price tag reads).
CURRENCY_SYMBOLS: dict[str, str] = {
    "LAK": "₭", "KHR": "៛", "VND": "₫", "THB": "฿", "IDR": "Rp", "MYR": "RM", "MMK": "K", "PHP": "₱",
    "SGD": "S$", "BND": "B$", "USD": "US$",
}


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


def format_price(amount: Decimal | int | float, currency: str, locale: Locale | str = "en") -> str:
    """A price as people read it: the locale's number pattern with the currency's symbol (see CURRENCY_SYMBOLS)."""
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    whole = value == value.to_integral_value()
    pattern = locale.currency_formats["standard"].pattern
    if whole:
        pattern = re.sub(r"\.0+", "", pattern)
    text = format_currency(value, currency, format=pattern, locale=locale, currency_digits=not whole)
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol and currency in text:
        text = text.replace(currency, symbol)
    return text


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
        """In the locale's own digits where CLDR says its users read them (Burmese ၁၅၀,၀၀၀)."""
        return native(format_decimal(value, locale=self.locale), self.locale)

    def price(self, amount: Decimal | int | float, currency: str) -> str:
        """``₭150.000`` (lo), ``150.000 ₫`` (vi), ``₭150,000`` (en), ``၁၅၀,၀၀၀ K`` (my): the locale's
        pattern and digits, the currency's symbol."""
        return native(format_price(amount, currency, self.locale), self.locale)

    def datetime(self, moment: datetime, _legacy_format: str | None = None) -> str:
        """A moment as every screen shows it: in the user's time zone, the locale's medium date with hours and
        minutes ("Dec 6, 2026, 7:32 AM", "6 ທ.ວ. 2026, 7:32", "07:32 6 thg 12, 2026").

        One format everywhere: the month is a word, so day and month never swap ("12/7/26" is 12 July in
        most of this region and 7 December in English). A second argument ("short", "medium") from older
        callers is ignored: there is no numeric short form.
        """
        if moment.tzinfo is None:  # stored as UTC
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(self.tz)
        date = format_date(local.date(), "medium", locale=self.locale)
        time = format_time(local, "short", tzinfo=self.tz, locale=self.locale)
        return native(str(get_datetime_format("medium", locale=self.locale)).replace("'", "").replace(
            "{0}", time).replace("{1}", date), self.locale)


@cache
def translator(language: str | None, timezone: str | None = None) -> Translator:
    return Translator(language, timezone)
