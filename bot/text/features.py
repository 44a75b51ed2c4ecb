"""What texts are compared by: n-gram features (FAQ), search terms (marketplace), close words (both).

- :func:`analyse` (FAQ matching): a text as :class:`Analysed`, i.e. TF counts of character n-grams
  plus its Latin-script words (chat spellings such as "brp", "gmn", "pano" first folded to the written
  word: :mod:`bot.text.faq_chat`). Latin words give padded 3- and 4-grams and the word itself; runs of a
  script written without spaces (Lao, Thai, Khmer, Burmese) are joined and give 2- and 3-grams of code
  points plus 1- and 2-grams of written syllable clusters (:func:`bot.text.normalise.clusters`), once
  as typed and once without their marks; as typed, also ICU's dictionary words
  (:mod:`bot.text.faq_words`), which help but are not needed.
- :func:`split_terms` / :func:`terms_of` (marketplace search, on :func:`normalise_search` text): words
  of spaced scripts, and character trigrams of each run of an unspaced script.
- :func:`close_words`: typo-tolerant lookup of a word among others (rapidfuzz ``fuzz.ratio``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.text.faq_chat import unchat
from bot.text.faq_words import words as dictionary_words
from bot.text.normalise import SEARCH_UNSPACED, UNSPACED_MARKS, UNSPACED_RE, clusters, fold_latin, normalise

GRAM_SIZES = (2, 3)  # code-point n-grams of unspaced runs
CLUSTER_SIZES: tuple[int, ...] = (1, 2)  # syllable-cluster n-grams of unspaced runs
# Each dictionary word of an unspaced run (as typed) counts this many times (:mod:`bot.text.faq_words`;
# 2 did better than 1 on the dev set of bench/faq_eval.py).
WORD_COUNT = 2


@lru_cache(maxsize=200_000)
def _word_features(token: str) -> tuple[str, tuple[str, ...]]:
    """A spaced-script word: its folded form and its features (the word, padded 3- and 4-grams)."""
    word = fold_latin(token)
    if not word:
        return "", ()
    padded = f"<{word}>"
    size = len(padded)
    return word, (
        "w" + word,
        *(padded[i : i + 3] for i in range(max(1, size - 2))),
        *(padded[i : i + 4] for i in range(size - 3)),
    )


def _run_features(run: str, tag: str) -> list[str]:
    padded = f"<{run}>"
    size = len(padded)
    found = [tag + padded[i : i + GRAM_SIZES[0]] for i in range(size - GRAM_SIZES[0] + 1)]
    for n in GRAM_SIZES[1:]:
        found += [tag + padded[i : i + n] for i in range(size - n + 1)]
    if CLUSTER_SIZES:
        units = ["<", *clusters(run), ">"]
        for n in CLUSTER_SIZES:
            found += [tag + "c" + "|".join(units[i : i + n]) for i in range(len(units) - n + 1)]
    if tag == "u" and WORD_COUNT:
        found += ["uw" + word for word in dictionary_words(run)] * WORD_COUNT
    return found


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text cut into what the matcher compares: n-gram features and (Latin-script) words."""

    features: Counter[str]
    words: tuple[str, ...]  # spaced-script words, accent-folded
    spaced_share: float  # how much of the text is in spaced scripts (0..1)


def analyse(text: str) -> Analysed:
    """The FAQ matcher's view of a text (normalised with :func:`bot.text.normalise.normalise`)."""
    norm = normalise(text)
    features: list[str] = []
    words: list[str] = []
    runs: list[str] = []
    spaced_chars = unspaced_chars = 0
    current: list[str] = []
    for token in unchat(norm.split()):
        if UNSPACED_RE.search(token):
            current.append(token)
            unspaced_chars += len(token)
            continue
        if current:
            runs.append("".join(current))
            current = []
        word, found = _word_features(token)
        if word:
            spaced_chars += len(word)
            words.append(word)
            features.extend(found)
    if current:
        runs.append("".join(current))
    for run in runs:
        features.extend(_run_features(run, "u"))
        stripped = run.translate(UNSPACED_MARKS)
        if stripped:
            features.extend(_run_features(stripped, "s"))
    total = spaced_chars + unspaced_chars
    return Analysed(Counter(features), tuple(words), spaced_chars / total if total else 0.0)


# --- search terms -------------------------------------------------------------------------------

SEARCH_GRAM = 3  # character n-grams of unspaced runs in search
_NO_SPACE_RUN = re.compile(f"([{SEARCH_UNSPACED}]+)|([^{SEARCH_UNSPACED}]+)")
SEARCH_UNSPACED_RE = re.compile(f"[{SEARCH_UNSPACED}]")


def split_terms(normalised: str) -> tuple[list[str], list[list[str]]]:
    """Words of spaced scripts, and per run of unspaced script its trigrams (the run itself if shorter)."""
    words: list[str] = []
    runs: list[list[str]] = []
    for unspaced, spaced in _NO_SPACE_RUN.findall(normalised):
        if unspaced:
            runs.append([unspaced[i : i + SEARCH_GRAM] for i in range(len(unspaced) - SEARCH_GRAM + 1)]
                        or [unspaced])
        else:
            words.extend(w for w in spaced.split() if len(w) >= 2 or w.isdigit())
    return words, runs


def terms_of(normalised: str) -> set[str]:
    """Every search term of a text: its words and the trigrams of its unspaced runs."""
    words, runs = split_terms(normalised)
    return set(words).union(*runs)


# --- close words --------------------------------------------------------------------------------


def close_words(word: str, choices: Iterable[str], cutoff: float, limit: int) -> list[tuple[str, float]]:
    """The ``limit`` choices most like ``word`` (rapidfuzz ``fuzz.ratio``, 0-100) with a score of at
    least ``cutoff``, best first: a typo still finds its word."""
    if limit == 1:
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        return [] if best is None else [(best[0], float(best[1]))]
    return [(term, float(score))
            for term, score, _ in process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff,
                                                  limit=limit)]
