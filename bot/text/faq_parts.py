"""Long questions, matched by their parts: "I want to sell my scarves online but how do I set a price? Also
the photos…" asks two or three things, and as a whole it is close to no single entry.

:func:`split_parts` cuts a long text into sentences and clauses (at the punctuation of every script we
have and at joining words: "but", "và", "แต่", …), and a clause still long into overlapping windows.
:func:`decide_parts` gathers what the parts match (:meth:`bot.text.faq_index.FaqIndex.match` asks it
when the whole question is not answered) and offers the best distinct entries as "did you mean"
choices: a part never gives an answer outright (a clause of a longer message is not the question
asked), and a part that matches an out-of-scope example offers nothing.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.text.faq_decide import Candidate, Match, MatchConfig
from bot.text.normalise import UNSPACED_RE

# Sentence and clause ends: Latin, Thai/Lao spaces aside, Khmer ។ ៕, Burmese ၊ ။, CJK-style commas.
_PART_END = re.compile(r"[.!?;:,\n\u17d4\u17d5\u104a\u104b\u3001\uff0c\u060c]+")
# Words that join clauses, in our languages: a clause starts after them (only whole, spaced words: inside a
# Thai or Lao run, "แต่" may be part of another word).
CONJUNCTIONS = frozenset({
    "but", "and", "also", "because", "so", "or", "then",  # en
    "tapi", "tetapi", "dan", "juga", "karena", "kerana", "sebab", "atau", "lalu",  # id, ms
    "nhưng", "và", "còn", "hoặc", "vì", "nên",  # vi
    "pero", "at", "kasi", "dahil", "o", "saka",  # fil
    "แต่", "และ", "หรือ", "เพราะ",  # th
    "ແຕ່", "ແລະ", "ຫຼື", "ເພາະ",  # lo
    "ប៉ុន្តែ", "និង", "ឬ", "ព្រោះ", "ហើយ",  # km
    "ဒါပေမဲ့", "ပြီးတော့", "သို့မဟုတ်",  # my
})
UNSPACED_WORD = 4  # characters of an unspaced script counting as one word (they have no spaces to count)
PART_WINDOW = 6  # words in a window of a long clause...
PART_STRIDE = 3  # ...starting every this many words
PART_MIN_WORDS = 2  # shorter parts ("thanks", "hi") are not matched alone
MAX_PARTS = 12  # parts searched at most (the first ones: a message opens with what it asks)


def words_in(text: str) -> int:
    """How long a text is, in words: spaced words, and runs of unspaced scripts by ``UNSPACED_WORD``."""
    total = 0
    for token in text.split():
        if UNSPACED_RE.search(token):
            total += max(1, round(len(token) / UNSPACED_WORD))
        else:
            total += 1
    return total


def _clauses(text: str) -> list[list[str]]:
    """The words of each sentence or clause: cut at punctuation and at joining words (dropped)."""
    out: list[list[str]] = []
    for sentence in _PART_END.split(text):
        current: list[str] = []
        for token in sentence.split():
            if token.casefold() in CONJUNCTIONS:
                out.append(current)
                current = []
            else:
                current.append(token)
        out.append(current)
    return [tokens for tokens in out if tokens]


def split_parts(text: str, min_words: int) -> list[str]:
    """The parts of a text of at least ``min_words`` words (else none): its sentences and clauses, a
    long clause also as overlapping windows of words. Empty when the text is short or has one part."""
    if words_in(text) < min_words:
        return []
    parts: list[str] = []
    for tokens in _clauses(text):
        if words_in(" ".join(tokens)) < PART_MIN_WORDS:
            continue
        if len(tokens) <= PART_WINDOW + PART_STRIDE:
            parts.append(" ".join(tokens))
            continue
        for start in range(0, len(tokens) - PART_STRIDE, PART_STRIDE):
            parts.append(" ".join(tokens[start : start + PART_WINDOW]))
    parts = list(dict.fromkeys(parts))[:MAX_PARTS]
    return parts if len(parts) > 1 else []


def decide_parts(whole: Match, parts: list[Match], cfg: MatchConfig) -> Match:
    """"Did you mean" with the entries the parts of a long question match, or ``whole`` as it was when
    no part matches one. The whole question's own choices come first; then the entries a part would
    answer, best first; then entries that two parts or more offer as choices (one part merely in the
    grey zone offers nothing: a window of a chatty message is close to something by chance). When the
    whole question matched nothing, its parts must find two entries or more (a message asking several
    things)."""
    if whole.outcome == "answer":
        return whole
    offered: dict[str, Candidate] = {}
    if whole.outcome == "choices":
        offered.update((c.entry_id, c) for c in whole.candidates)
    confident = sorted((c for m in parts if m.outcome == "answer" for c in m.candidates), key=lambda c: -c.score)
    support: Counter[str] = Counter()
    best: dict[str, Candidate] = {}
    for m in parts:
        if m.outcome == "choices":
            for c in m.candidates:
                support[c.entry_id] += 1
                if c.entry_id not in best or c.score > best[c.entry_id].score:
                    best[c.entry_id] = c
    supported = sorted((c for entry, c in best.items() if support[entry] > 1), key=lambda c: -c.score)
    found: dict[str, Candidate] = {}
    for candidate in (*confident, *supported):
        if candidate.in_scope:
            found.setdefault(candidate.entry_id, candidate)
    if whole.outcome == "none" and len(found) < 2:
        # One clause matching while the whole does not: "how much tax do I pay on my salary from the hotel"
        # is not the FAQ's tax question. A message asking two things or more is what parts are for.
        return whole
    for entry_id, candidate in found.items():
        if len(offered) >= cfg.choices:
            break
        offered.setdefault(entry_id, candidate)
    if not offered:
        return whole
    return Match("choices", tuple(offered.values()))
