"""Splitting long texts for a platform's size limit without breaking a word or a character cluster.

Lao, Thai, Khmer and Burmese write vowels and tone marks as combining characters and stack consonants
with a joiner (Khmer coeng U+17D2, Myanmar virama U+1039): a cut between those would show broken
glyphs, so a cut is only made where a new cluster starts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

JOINERS = {"\u17d2", "\u1039", "\u200d", "\u200c", "\u034f"}


def is_cluster_start(text: str, index: int) -> bool:
    """May ``text`` be cut right before ``text[index]``?"""
    if index <= 0 or index >= len(text):
        return True
    char, before = text[index], text[index - 1]
    if before in JOINERS or char in JOINERS:
        return False
    if unicodedata.category(char) in {"Mn", "Mc", "Me"}:
        return False
    if "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":  # variation selectors, skin tones
        return False
    return not ("\udc00" <= char <= "\udfff")


def _best_cut(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in ("\n\n", "\n", ". ", " ", "\u200b"):  # paragraph, line, sentence, word, Thai/Lao word break
        cut = window.rfind(sep)
        if cut > limit // 3:
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
