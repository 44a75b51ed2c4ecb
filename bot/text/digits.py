"""Digits of every script: read in any of them, shown in the one each language's users expect.

Reading: people type prices, quantities, menu numbers, quiz answers, dates and codes in their own digits
(Lao ໐-໙, Khmer ០-៩, Thai ๐-๙, Myanmar ၀-၉, or any other Unicode decimal digit). Python's ``int``,
``str.isdigit`` and ``re``'s ``\\d`` already accept them; :func:`ascii_digits` turns them into 0-9 where a
parser needs ASCII (``Decimal``, codes, regular expressions with ``[0-9]``), and every inbound message made
of digits, Latin letters and signs only gets ASCII digits at the door (:func:`typed_digits`, applied by
``bot.text.normalise.normalise_text``), so codes and numbers need nothing more downstream.

Showing: CLDR names each locale's default numbering system. Burmese (``my``) uses Myanmar digits; Lao,
Khmer and Thai default to 0-9 (what their users read in prices and dates), so only Burmese changes.
babel formats numbers with ASCII digits whatever the numbering system, so :func:`native` transliterates.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

ZEROS = {"mymr": "\u1040", "laoo": "\u0ed0", "khmr": "\u17e0", "thai": "\u0e50", "latn": "0"}


def ascii_digits(text: str) -> str:
    """Every Unicode decimal digit in ``text`` as 0-9 (other characters unchanged)."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch
                   for ch in text)


def typed_digits(text: str) -> str:
    """A message of digits, Latin letters and signs only (a menu number, quiz answer, price, time, code:
    "໒", "໑໕໐.໐໐໐", "ABC២៣៤") with its digits as 0-9; a message with words of another script ("ผ้าไหม ๒
    ผืน") unchanged, so what people wrote keeps their digits."""
    if text.isascii() or any(ch.isalpha() and not ch.isascii() for ch in text):
        return text
    return ascii_digits(text)


@cache
def _table(system: str) -> dict[int, str]:
    zero = ZEROS.get(system, "0")
    return {ord("0") + i: chr(ord(zero) + i) for i in range(10)}


@cache
def numbering_system(locale: Locale) -> str:
    """The locale's default numbering system (CLDR): ``mymr`` for Burmese, ``latn`` for most."""
    system = str(getattr(locale, "default_numbering_system", "latn") or "latn")
    return system if system in ZEROS else "latn"


def native(text: str, locale: Locale) -> str:
    """``text``'s ASCII digits in the locale's own digits (unchanged where that is 0-9)."""
    system = numbering_system(locale)
    return text if system == "latn" else text.translate(_table(system))
