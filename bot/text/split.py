"""Splitting long texts for a platform's size limit without breaking a word or a character cluster.

Lao, Thai, Khmer and Burmese write vowels and tone marks as combining characters and stack consonants
with a joiner (Khmer coeng U+17D2, Myanmar virama U+1039): a cut between those would show broken
glyphs, so a cut is only made where a new cluster starts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

JOINERS = {"\u17d2", "\u1039", "\u200d", "\u200c", "\u034f"}
# Letters (category Lo) that still belong to the cluster before them (Unicode "SpacingMark"):
# Thai SARA AM and Lao AM; a cut before them would leave a lone vowel at the start of the next piece.
SPACING_MARKS = {"\u0e33", "\u0eb3"}
# Thai and Lao vowels written before the consonant they follow in speech (เ แ โ ใ ไ, ເ ແ ໂ ໃ ໄ): never
# leave one at the end of a piece, away from its consonant.
LEADING_VOWELS = {chr(c) for c in (*range(0x0E40, 0x0E45), *range(0x0EC0, 0x0EC5))}


def _regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def is_cluster_start(text: str, index: int) -> bool:
    """May ``text`` be cut right before ``text[index]``? (A simplified UAX #29 grapheme cluster test.)"""
    if index <= 0 or index >= len(text):
        return True
    char, before = text[index], text[index - 1]
    if before == "\r" and char == "\n":
        return False
    if before in JOINERS or char in JOINERS or char in SPACING_MARKS or before in LEADING_VOWELS:
        return False
    if unicodedata.category(char) in {"Mn", "Mc", "Me"}:
        return False
    if "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":  # variation selectors, skin tones
        return False
    if "\U000e0020" <= char <= "\U000e007f":  # emoji tag sequences (subdivision flags)
        return False
    if _regional_indicator(char) and _regional_indicator(before):  # flags are pairs: 🇱🇦 🇰🇭
        run = 0
        while index - run - 1 >= 0 and _regional_indicator(text[index - run - 1]):
            run += 1
        return run % 2 == 0
    return not ("\udc00" <= char <= "\udfff")


def _best_cut(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in ("\n\n", "\n", ". ", " ", "\u200b"):  # paragraph, line, sentence, word, Thai/Lao word break
        cut = window.rfind(sep)
        if cut > limit // 3 and is_cluster_start(text, cut + len(sep)):
            return cut + len(sep)
    cut = limit
    while cut > 1 and not is_cluster_start(text, cut):
        cut -= 1
    return cut


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Pieces of at most ``limit`` (as ``measure`` counts) each, cut at the nicest place."""
    text = text.strip()
    pieces: list[str] = []
    while text:
        if measure(text) <= limit:
            pieces.append(text)
            break
        # Find a prefix short enough under ``measure`` (escaping may lengthen it).
        size = min(len(text), limit)
        while size > 1 and measure(text[:size]) > limit:
            size = max(1, size * 9 // 10)
        cut = _best_cut(text, size)
        piece, text = text[:cut].rstrip(), text[cut:].lstrip()
        if piece:
            pieces.append(piece)
    return pieces or [""]
