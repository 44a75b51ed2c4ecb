"""Prices as sellers type them, in the currencies of the region, and shown back in a user's locale.

``parse_price("1.5 triệu", "VND")`` → ``(Decimal("1500000"), "VND")``. Understood:

- digits in any script (Thai ๑๒๓, Lao ໑໒໓, Khmer ១២៣, Myanmar ၁၂၃) and grouping with ``,`` ``.`` or
  spaces: ``150,000``, ``150.000``, ``150 000``, ``1,234.50``, ``1.234,50``;
- a multiplier after the number: ``150k``, ``1.5 triệu``, ``2 ล้าน``, ``1.2 juta``, ``3 ແສນ``, ``20 ribu``;
- a currency as a code, a symbol or a word, before or after: ``₭ 150000``, ``$12``, ``RM 45``, ``450 บาท``.

Anything else (two numbers, a range, zero, a negative, an unknown currency) is ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision

from bot.i18n import Translator, format_price, translator
from bot.text.digits import ascii_digits

CURRENCIES = ("LAK", "KHR", "VND", "THB", "IDR", "MYR", "MMK", "PHP", "SGD", "BND", "USD")

# A typical price in each currency, for "for example ..." hints.
EXAMPLES: dict[str, Decimal] = {
    "LAK": Decimal(150000), "KHR": Decimal(40000), "VND": Decimal(250000), "THB": Decimal(350),
    "IDR": Decimal(150000), "MYR": Decimal(45), "MMK": Decimal(20000), "PHP": Decimal(500),
    "SGD": Decimal(25), "BND": Decimal(25), "USD": Decimal(12),
}

MAX_AMOUNT = Decimal(10) ** 12

# Currency words and symbols, casefolded. "$" alone is resolved against the seller's currency.
_CURRENCY_WORDS: dict[str, str] = {
    "₭": "LAK", "kip": "LAK", "kíp": "LAK", "ກີບ": "LAK", "lak": "LAK",
    "៛": "KHR", "riel": "KHR", "riels": "KHR", "រៀល": "KHR", "khr": "KHR",
    "₫": "VND", "đ": "VND", "vnd": "VND", "vnđ": "VND", "dong": "VND", "đồng": "VND",
    "฿": "THB", "บาท": "THB", "baht": "THB", "thb": "THB",
    "rp": "IDR", "rp.": "IDR", "idr": "IDR", "rupiah": "IDR",
    "rm": "MYR", "myr": "MYR", "ringgit": "MYR",
    "ks": "MMK", "kyat": "MMK", "kyats": "MMK", "mmk": "MMK", "ကျပ်": "MMK",
    "₱": "PHP", "php": "PHP", "peso": "PHP", "pesos": "PHP", "piso": "PHP",
    "s$": "SGD", "sgd": "SGD", "b$": "BND", "bnd": "BND",
    "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
}
_DOLLAR_CURRENCIES = {"SGD", "BND", "USD"}
_FOREIGN = {"€", "£", "¥", "eur", "euro", "gbp", "jpy", "yen", "cny", "rmb", "inr", "₹", "krw", "₩"}

# Multiplier words after a number, casefolded.
_MULTIPLIERS: dict[str, int] = {
    "k": 1_000, "nghìn": 1_000, "ngàn": 1_000, "nghin": 1_000, "ngan": 1_000, "thousand": 1_000,
    "ribu": 1_000, "rb": 1_000, "libo": 1_000, "พัน": 1_000, "ພັນ": 1_000, "ពាន់": 1_000, "ထောင်": 1_000,
    "หมื่น": 10_000, "ໝື່ນ": 10_000, "ຫມື່ນ": 10_000, "ម៉ឺន": 10_000, "သောင်း": 10_000,
    "แสน": 100_000, "ແສນ": 100_000, "សែន": 100_000, "သိန်း": 100_000, "lakh": 100_000,
    "m": 1_000_000, "mn": 1_000_000, "mil": 1_000_000, "million": 1_000_000, "triệu": 1_000_000,
    "trieu": 1_000_000, "tr": 1_000_000, "juta": 1_000_000, "jt": 1_000_000, "milyon": 1_000_000,
    "ล้าน": 1_000_000, "ລ້ານ": 1_000_000, "លាន": 1_000_000, "သန်း": 1_000_000,
    "tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "ty": 1_000_000_000, "b": 1_000_000_000,
    "billion": 1_000_000_000, "miliar": 1_000_000_000,
}

_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")
_TOKEN = re.compile(r"[^\s\d]+")
_PUNCT = ".,:;=~/()[]≈*!?\"'"


def _words(text: str) -> list[str]:
    """Whitespace-separated pieces without digits, stripped of punctuation (marks of Thai etc. kept)."""
    words = []
    for token in _TOKEN.findall(text):
        word = token if token.casefold() in _CURRENCY_WORDS else token.strip(_PUNCT)
        if word:
            words.append(word)
    return words


def _number(raw: str, has_multiplier: bool) -> Decimal | None:
    """``150,000`` / ``150.000`` / ``1.234,50`` / ``1.5`` as a Decimal (see the module doc for the rules)."""
    raw = re.sub(r"[\u00a0\u202f ]", "", raw) if re.search(r"\d[\u00a0\u202f ]\d{3}(?!\d)", raw) else raw
    if re.search(r"[\u00a0\u202f ]", raw):
        return None  # "12 34": two numbers
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        decimal_sep = "." if raw.rfind(".") > raw.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        if raw.count(decimal_sep) > 1:
            return None
        whole, frac = raw.split(decimal_sep)
        if not _grouped(whole, group_sep):
            return None
        text = whole.replace(group_sep, "") + "." + frac
    elif dots + commas == 0:
        text = raw
    else:
        sep = "." if dots else ","
        parts = raw.split(sep)
        if len(parts) > 2:
            if not _grouped(raw, sep):
                return None
            text = raw.replace(sep, "")
        elif len(parts[1]) == 3 and not has_multiplier and parts[0] != "0":
            text = parts[0] + parts[1]  # 150.000 / 150,000: thousands
        else:
            text = parts[0] + "." + parts[1]  # 1.5 triệu / 12,50
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _grouped(text: str, sep: str) -> bool:
    parts = text.split(sep)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def _currency_of(token: str, default: str) -> str | None:
    word = token.casefold()
    if word == "$":
        return default if default in _DOLLAR_CURRENCIES else "USD"
    if word in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[word]
    upper = token.upper()
    return upper if upper in CURRENCIES else None


def parse_price(text: str, default_currency: str = "USD") -> tuple[Decimal, str] | None:
    """The amount and currency in a seller's message, or None when it is not a price."""
    text = ascii_digits(unicodedata.normalize("NFC", text)).strip()
    text = re.sub(r"[.,]-$", "", text)  # "Rp 150.000,-"
    if not text or len(text) > 60 or "-" in text.replace("US-", ""):
        return None  # negatives and ranges ("100-200") are not one price
    numbers = list(_NUMBER.finditer(text))
    if len(numbers) != 1:
        return None
    match = numbers[0]
    before, after = text[: match.start()], text[match.end() :]
    currency: str | None = None
    multiplier = 1
    # Words around the number: currencies anywhere, a multiplier only right after the number.
    for side, words in (("before", _words(before)), ("after", _words(after))):
        for index, word in enumerate(words):
            folded = word.casefold()
            if folded in _FOREIGN:
                return None
            found = _currency_of(word, default_currency)
            if found is None and side == "before" and folded == "k":
                found = "MMK"  # "K20,000": the kyat's sign as prices are shown (after a number, "k" is ×1000)
            if found is not None:
                if currency is not None and currency != found:
                    return None
                currency = found
                continue
            if side == "after" and index == 0 and folded in _MULTIPLIERS and multiplier == 1:
                multiplier = _MULTIPLIERS[folded]
                continue
            if side == "after" and folded.startswith("k") and folded[1:] in _CURRENCY_WORDS and index == 0:
                multiplier = 1_000  # "150kip" is 150 kip, but "150kđ" is 150,000 đồng
                currency = _CURRENCY_WORDS[folded[1:]]
                continue
            if folded in {"price", "giá", "harga", "ราคา", "ລາຄາ",
                                                                         "តម្លៃ", "presyo", "only", "approx"}:
                continue
            return None  # some other word: not a plain price ("two kilos for 5")
    amount = _number(match.group(), multiplier != 1)
    if amount is None:
        return None
    amount *= multiplier
    currency = currency or default_currency
    if currency not in CURRENCIES or amount <= 0 or amount >= MAX_AMOUNT:
        return None
    places = max(get_currency_precision(currency), 0)
    amount = amount.quantize(Decimal(1).scaleb(-places))
    if amount <= 0:
        return None
    return amount, currency


__all__ = ["CURRENCIES", "EXAMPLES", "example_price", "format_price", "parse_price"]
# ``format_price`` is bot.i18n's (the one behind ``Translator.price``): "₭150,000", "40,000៛", never
# "40,000.00៛" for currencies nobody writes with minor digits.


def example_price(currency: str, language: Translator | str | None = "en") -> str:
    """A typical price in ``currency`` as a user reads prices: ``ctx.t.price`` of ``EXAMPLES[currency]``."""
    t = language if isinstance(language, Translator) else translator(language)
    return t.price(EXAMPLES.get(currency, Decimal(100)), currency)
