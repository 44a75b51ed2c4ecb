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

Both forms first fold **confusable spellings** (:func:`fold_confusables`): two code-point sequences of
Khmer, Lao, Thai or Burmese that look the same on screen (Khmer ្ដ/្ត, Lao ໜ/ຫນ, Thai ำ/ํ+า, Burmese
ဥ/ဉ, …) or that keyboards type in either order become one, so a listing, an FAQ phrasing or any other
text typed one way is found by the other.

Scripts written without spaces between words (Thai, Lao, Khmer, Burmese): :func:`is_unspaced` tells a
character of them; :func:`clusters` cuts a run of them into written syllable clusters.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text.burmese import to_unicode
from bot.text.digits import typed_digits

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
    """NFC, so Lao/Khmer/Thai/Burmese typed on different keyboards compare equal; Zawgyi-encoded Burmese
    becomes Unicode (:mod:`bot.text.burmese`); a message of digits and Latin letters only ("໒", "໑໕໐.໐໐໐",
    "ABC២៣៤") gets 0-9 digits (:func:`bot.text.digits.typed_digits`)."""
    return unicodedata.normalize("NFC", typed_digits(to_unicode(text)))


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
_SCRIPT_FOLD = str.maketrans({"\u0e46": " ", "\u0ec6": " "})  # ๆ ໆ



# --- confusable spellings -------------------------------------------------------------------------
# Sequences that look the same (or that keyboards type in either order) in Khmer, Lao, Thai and
# Burmese, folded to one form. The chosen form is the one NFKC gives where it has one (Lao ໜ → ຫນ,
# ຳ → ໍ + າ, Thai ำ → ํ + า), so NFKC text and NFC text fold alike. Idempotent.

_CONFUSABLE_CHARS = str.maketrans({
    # Khmer: ឲ (deprecated) → ឱ; ឣ → អ; ឤ → អា; the invisible inherent vowels ឴ ឵ go.
    "\u17b2": "\u17b1", "\u17a3": "\u17a2", "\u17a4": "\u17a2\u17b6", "\u17b4": None, "\u17b5": None,
    # Lao: ໜ ໝ → ຫນ ຫມ; ຳ → ໍ + າ.
    "\u0edc": "\u0eab\u0e99", "\u0edd": "\u0eab\u0ea1", "\u0eb3": "\u0ecd\u0eb2",
    # Thai: ำ → ํ + า.
    "\u0e33": "\u0e4d\u0e32",
    # Burmese: ဉ (nya) and ဥ (u) are drawn alike; ဦ → ဥ + ီ; the digit ၀ and the letter ဝ are drawn alike.
    "\u1009": "\u1025", "\u1026": "\u1025\u102e", "\u1040": "\u101d",
})
_CONFUSABLE_SEQUENCES = {
    "\u17d2\u178a": "\u17d2\u178f",  # Khmer: subscript DA ្ដ is drawn as subscript TA ្ត
    "\u17c1\u17b8": "\u17be",  # Khmer: េ + ី is drawn as ើ
    "\u17c1\u17b6": "\u17c4",  # Khmer: េ + ា is drawn as ោ
    "\u0ec0\u0ec0": "\u0ec1",  # Lao: ເ + ເ is drawn as ແ
    "\u0e40\u0e40": "\u0e41",  # Thai: เ + เ is drawn as แ
    "\u0eab\u0ea5": "\u0eab\u0ebc",  # Lao: ຫລ, the older spelling of ຫຼ
}
_SEQUENCES_RE = re.compile("|".join(map(re.escape, _CONFUSABLE_SEQUENCES)))
_TH_TONES, _LO_TONES = "\u0e48-\u0e4b", "\u0ec8-\u0ecb"
# (pattern, replacement), applied in this order.
_REORDERS = [(re.compile(p), r) for p, r in (
    # Khmer: coeng RO goes after the other subscript (ស្រ្តី → ស្ត្រី: the same drawing).
    ("\u17d2\u179a\u17d2([\u1780-\u17a2])", "\u17d2\\1\u17d2\u179a"),
    # Khmer: a register shifter ៉ ៊ before the vowel; ុ and ា before ំ.
    ("([\u17b6-\u17c5])([\u17c9\u17ca])", r"\2\1"),
    ("\u17c6([\u17bb\u17b6])", "\\1\u17c6"),
    # Thai and Lao: the tone before the am (ํ + tone + า, or ำ + tone → tone + ํ + า)...
    (f"\u0e4d([{_TH_TONES}])\u0e32", "\\1\u0e4d\u0e32"),
    (f"\u0e4d\u0e32([{_TH_TONES}])", "\\1\u0e4d\u0e32"),
    (f"\u0ecd([{_LO_TONES}])\u0eb2", "\\1\u0ecd\u0eb2"),
    (f"\u0ecd\u0eb2([{_LO_TONES}])", "\\1\u0ecd\u0eb2"),
    # ...but after a vowel above (กี่, not ก่ี; ศักดิ์, not ศักด์ิ; ກີ່, not ກ່ີ).
    (f"([{_TH_TONES}\u0e4c])([\u0e31\u0e34-\u0e37\u0e47]|\u0e4d(?!\u0e32))", r"\2\1"),
    (f"([{_LO_TONES}\u0ecc])([\u0eb1\u0eb4-\u0eb7\u0ebb]|\u0ecd(?!\u0eb2))", r"\2\1"),
    # Burmese: medials in the order ျ ြ ွ ှ, then ေ; a vowel above before one below; ံ after them; ့ last.
    ("\u1031([\u103b-\u103e]+)", "\\1\u1031"),
    ("([\u102f\u1030])([\u102d\u102e\u1032])", r"\2\1"),
    ("\u1036([\u102f\u1030])", "\\1\u1036"),
    ("\u1037([\u102b-\u1036]+)", "\\1\u1037"),
)]
_MEDIALS_RE = re.compile("[\u103b-\u103e]{2,}")
_TRIGGER_RE = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
_DOUBLE_MARK_RE = re.compile("([" + "".join(
    chr(c) for lo, hi in UNSPACED_BLOCKS for c in range(lo, hi + 1) if unicodedata.category(chr(c)) == "Mn"
) + r"])\1+")


_ANY_RULE_RE = re.compile("|".join([_SEQUENCES_RE.pattern, _MEDIALS_RE.pattern, _DOUBLE_MARK_RE.pattern,
                                     *(pattern.pattern for pattern, _ in _REORDERS)]))


def _sorted_medials(match: re.Match[str]) -> str:
    return "".join(sorted(match.group()))


def _sequence(match: re.Match[str]) -> str:
    return _CONFUSABLE_SEQUENCES[match.group()]


def fold_confusables(text: str) -> str:
    """Fold spellings of Khmer, Lao, Thai and Burmese that look identical into one (see the tables above):
    Khmer ្ដ/្ត, ើ/េ+ី, ោ/េ+ា, the order of coeng RO and of ៉ ៊ ំ; Lao ໜ/ຫນ, ໝ/ຫມ, ຳ/ໍ+າ, ແ/ເເ,
    ຫຼ/ຫລ; Thai ำ/ํ+า, แ/เเ; the order of a tone mark and a vowel above (Thai, Lao); Burmese ဥ/ဉ,
    ဝ/၀, the order of medials ျ ြ ွ ှ, of ေ and of the vowel signs. A mark typed twice counts once.
    (Burmese ့ and ် need nothing here: NFC already orders them.)"""
    if not _TRIGGER_RE.search(text):
        return text
    text = text.translate(_CONFUSABLE_CHARS)
    if not _ANY_RULE_RE.search(text):  # most text has nothing to fold: one scan instead of every rule's
        return text
    for _ in range(4):  # a reorder can make way for another (marks typed in any order): until stable
        before = text
        text = _SEQUENCES_RE.sub(_sequence, _DOUBLE_MARK_RE.sub(r"\1", text))
        for pattern, replacement in _REORDERS:
            text = pattern.sub(replacement, text)
        text = _MEDIALS_RE.sub(_sorted_medials, text)
        if text == before:
            break
    return text

def normalise(text: str) -> str:
    """NFKC, casefolded, confusable spellings folded (:func:`fold_confusables`), punctuation and symbols
    as spaces, letters of the unspaced scripts typed three times or more as one, whitespace collapsed."""
    text = fold_confusables(unicodedata.normalize("NFKC", text).casefold().translate(_SCRIPT_FOLD))
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
    """NFC, casefolded, accents dropped from Latin letters (not the vowel marks of Thai or Lao),
    confusable spellings folded (:func:`fold_confusables`)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    folded = fold_confusables(unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed)))
    return " ".join(_NOT_TEXT.sub(" ", folded).split())
