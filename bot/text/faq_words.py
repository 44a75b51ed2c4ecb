"""Words of Thai, Lao, Khmer and Burmese text, for the FAQ matcher: ICU's dictionary word breaking.

These scripts are written without spaces between words. The matcher's n-grams of code points and of
syllable clusters (:mod:`bot.text.features`) need no segmenter and stay its base; on top of them each
dictionary word counts as a feature of its own, so "ราคา" (price) matched as a word weighs more than
its letters shared with other words. Measured on the dev set of bench/faq_eval.py (356 questions):
words on top of the n-grams raised top-1 from 98.0 % to 98.3 % and answered outright more (strict
93.0 % → 93.8 %, "did you mean" 6.7 % → 5.9 %); words instead of n-grams did worse (96.3 %).

ICU (the ``pyicu-wheels`` dependency, also used for Zawgyi) picks the dictionary by script, so one
break iterator serves all four. Without ICU, :func:`words` gives nothing and the n-grams alone match.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

try:
    import icu
except ImportError:  # pragma: no cover - the wheel is a dependency; the matcher still works without it
    icu = None

_local = threading.local()


def _breaker() -> Any:
    """One word break iterator per thread (an ICU iterator holds its text: not shareable)."""
    found = getattr(_local, "breaker", None)
    if found is None:
        found = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return found


@lru_cache(maxsize=100_000)
def words(run: str) -> tuple[str, ...]:
    """The dictionary words of a run of Thai, Lao, Khmer or Burmese text (spaces and punctuation left
    out), in order; () without ICU."""
    if icu is None or not run:
        return ()
    text = icu.UnicodeString(run)
    breaker = _breaker()
    breaker.setText(text)
    out: list[str] = []
    start = breaker.first()
    for end in breaker:
        word = str(text[start:end]).strip()
        if word:
            out.append(word)
        start = end
    return tuple(out)
