"""Character-level normalisation: what two spellings of the same text have in common.

Two forms, for two uses (they differ on purpose; each is relied on as it is):

- :func:`normalise` (FAQ matching): NFKC (Lao ໜ/ໝ typed as one letter or two meet), casefolded, a
  letter of an unspaced script typed three times or more counts once, punctuation, symbols and
  zero-width spaces become spaces. Accents are kept: :func:`fold_latin` folds a Latin-script word,
  :func:`strip_marks` drops every combining mark (the second, mark-stripped copy of Lao, Thai, Khmer
  and Burmese runs uses :data:`UNSPACED_MARKS`).
- :func:`normalise_search` (marketplace search; stored with every listing as ``search_text``): NFC,
  casefolded, accents dropped from Latin letters only (so "lua" finds "lụa", while Thai and Lao keep
  their vowel marks), anything but letters and digits as spaces.

Scripts written without spaces between words (Thai, Lao, Khmer, Burmese): :func:`is_unspaced` tells a
character of them; :func:`clusters` cuts a run of them into written syllable clusters.
"""

from __future__ import annotations

import re
import unicodedata

# Scripts written without spaces between words: their main blocks...
UNSPACED_BLOCKS = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x1000, 0x109F),  # Myanmar
)
# ...and, for FAQ matching, Myanmar's extensions too (search splits its terms on the main blocks only).
UNSPACED_RANGES = (
    *UNSPACED_BLOCKS,
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
)


def normalise_text(text: str) -> str:
    """NFC, so Lao/Khmer/Thai/Burmese typed on different keyboards compare equal."""
    return unicodedata.normalize("NFC", text)


def char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """The inside of a regular-expression character class holding these code point ranges."""
    return "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges)


_SPACE_LIKE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_LATIN_FOLD = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})

UNSPACED_RE = re.compile("[" + char_class(UNSPACED_RANGES) + "]")
_CHAR_CACHE: dict[str, str] = {}


def is_unspaced(ch: str) -> bool:
    """The character belongs to a script written without spaces (Thai, Lao, Khmer, Burmese)."""
    return UNSPACED_RE.match(ch) is not None


def _clean_char(ch: str) -> str:
    cleaned = _CHAR_CACHE.get(ch)
    if cleaned is None:
        space = ch in _SPACE_LIKE or (unicodedata.category(ch)[0] in "PSZC" and ch not in "%+")
        cleaned = _CHAR_CACHE[ch] = " " if space else ch
    return cleaned


# A letter of a script without spaces typed three or more times ("มากกกก"): once is enough.
_REPEATS_RE = re.compile("([" + char_class(UNSPACED_RANGES) + r"])\1{2,}")
# Thai/Lao repetition marks repeat the previous word: as a letter they only add noise.
_SCRIPT_FOLD = str.maketrans({"\u0e46": " ", "\u0ec6": " ", "\u17b2": "\u17b1"})  # ๆ ໆ; Khmer ឲ → ឱ


def normalise(text: str) -> str:
    """NFKC (Lao ໜ/ໝ and Thai ำ in their two spellings meet), casefolded, punctuation and symbols as
    spaces, letters of the unspaced scripts typed three times or more as one, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SCRIPT_FOLD)
    text = _REPEATS_RE.sub(r"\1", text)
    return " ".join("".join(map(_clean_char, text)).split())


def strip_marks(text: str) -> str:
    """Drop combining marks (accents, tone marks, vowel signs above/below)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


# Combining marks of the scripts without spaces (their text needs no decomposition to lose them):
# a translation table for ``str.translate``.
UNSPACED_MARKS: dict[int, None] = {
    code: None
    for lo, hi in UNSPACED_RANGES
    for code in range(lo, hi + 1)
    if unicodedata.category(chr(code)) == "Mn"
}


def fold_latin(word: str) -> str:
    """A Latin-script word without its accents (đ → d, ß → ss, …)."""
    return strip_marks(word.translate(_LATIN_FOLD))


# Thai and Lao vowels written before the consonant they follow in speech; Khmer coeng and Myanmar
# virama/asat stack the next consonant under the previous one.
_LEADING = set("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
_JOINERS = set("\u17d2\u1039")


def clusters(run: str) -> list[str]:
    """Cut a run of an unspaced script into written syllable clusters: a base letter with its marks
    (vowel signs, tone marks, stacked consonants), a leading vowel with the letter after it. No
    dictionary: n-grams of clusters are closer to syllables than n-grams of code points."""
    out: list[str] = []
    attach = False
    for ch in run:
        if out and (attach or unicodedata.category(ch) in ("Mn", "Mc")):
            out[-1] += ch
        else:
            out.append(ch)
        attach = ch in _LEADING or ch in _JOINERS
    return out


# --- the search form ------------------------------------------------------------------------------

SEARCH_UNSPACED = char_class(UNSPACED_BLOCKS)  # a character class (without brackets)
_LATIN_MARKS = re.compile("(?<=[a-z])[\u0300-\u036f]+")
_NOT_TEXT = re.compile(f"[^\\w{SEARCH_UNSPACED}]+|_")


def normalise_search(text: str) -> str:
    """NFC, casefolded, accents dropped from Latin letters (not the vowel marks of Thai or Lao)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    folded = unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed))
    return " ".join(_NOT_TEXT.sub(" ", folded).split())
