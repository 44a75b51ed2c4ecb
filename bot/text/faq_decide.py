"""The FAQ matcher's settings, what it finds, and the decision: answer, "did you mean", or none.

:class:`MatchConfig` holds every threshold and weight (the defaults were chosen on the dev set of
bench/faq_eval.py only; a fresh set is held out). :class:`bot.text.faq_index.FaqIndex` gives
:class:`Candidate` entries best first; :func:`decide` turns them into a :class:`Match`: above
``answer_at`` (clear of the runner-up by ``margin`` and by ``relative_margin`` of the score, covering
``answer_coverage``) → answer; above ``grey_at`` → "did you mean" with the top entries; below → none.
Out-of-scope examples (content topic ``out-of-scope``) are never answered nor offered: when one
matches best the outcome is none, and as a runner-up it narrows the margin an entry needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class MatchConfig:
    # Defaults chosen on the dev set bench/faq_eval.yaml (bench/faq_eval.py), never on the fresh set.
    answer_at: float = 0.175  # best score at or above this answers...
    margin: float = 0.06  # ...when the runner-up entry is at least this much lower
    relative_margin: float = 0.0  # ...and at least this share of the best score lower
    answer_coverage: float = 0.0  # ...and the entry covers at least this much of the question
    grey_at: float = 0.125  # at or above this (and not answered): "did you mean" with the top entries
    grey_coverage: float = 0.0  # entries covering less of the question are not offered at all
    choices: int = 3
    choice_window: float = 0.2  # offer entries within this of the best one
    answer_weight: float = 0.0  # answers' sentences count as phrasings, scores times this (0: not at all)
    word_weight: float = 0.0  # share of the soft word score for Latin-script text (0: n-grams alone)
    word_similarity: float = 80.0  # rapidfuzz ratio for two words to count as the same (typos)
    rerank: int = 40  # phrasings rescored with the word score
    centroid_weight: float = 0.6  # share of the entry's pooled phrasings (per language) in its score
    coverage_weight: float = 0.5  # exponent of the entry's coverage of the question (0: ignore coverage)
    word_coverage: float = 0.5  # share of word coverage (vs n-gram coverage) for spaced-script text
    coverage_entries: int = 8  # best entries rescored by coverage
    # Scores of a question in a script without spaces times this (its n-gram cosines run lower than
    # those of spaced words: one threshold for all scripts); partly unspaced text gets a partial scale.
    unspaced_scale: float = 2.0
    # Out-of-scope examples (content topic out-of-scope) score times this: 1 treats them like entries.
    out_of_scope_weight: float = 0.8
    # A question of at least this many words that is not answered as a whole is also matched by its
    # sentences and clauses (bot/text/faq_parts.py): they may offer choices, never an answer.
    parts_from_words: int = 8
    posting_budget: int = 20_000  # postings read before common n-grams go to the candidates only
    candidates: int = 200


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    score: float
    language: str  # the language of the phrasing that matched best
    phrasing: str
    coverage: float = 1.0  # how much of the question the entry's phrasings cover (0..1)
    in_scope: bool = True  # False: an out-of-scope example (a question the FAQ does not answer)


@dataclass(frozen=True, slots=True)
class Match:
    outcome: Literal["answer", "choices", "none"]
    candidates: tuple[Candidate, ...]  # best first: the answer, or the choices, or the nearest misses

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None



def decide(found: list[Candidate], cfg: MatchConfig) -> Match:
    """Answer, "did you mean" or none. An out-of-scope example matching best means none (its nearest
    entries kept as misses); as a runner-up it counts in the margin an answer needs; it is never offered."""
    if cfg.grey_coverage > 0:
        found = [c for c in found if c.coverage >= cfg.grey_coverage] or [
            replace(c, score=0.0) for c in found]  # kept as nearest misses, never offered
    if not found:
        return Match("none", ())
    first = found[0]
    misses = tuple(c for c in found if c.in_scope)[: cfg.choices]  # what "none" keeps: entries only
    if not first.in_scope:
        return Match("none", misses)
    second = found[1].score if len(found) > 1 else 0.0
    gap = first.score - second
    if (first.score >= cfg.answer_at and gap >= cfg.margin and gap >= cfg.relative_margin * first.score
            and first.coverage >= cfg.answer_coverage):
        return Match("answer", (first,))
    if first.score >= cfg.grey_at:
        offered = tuple(c for c in found[: cfg.choices] if c.in_scope and c.score >= max(
            cfg.grey_at * 0.8, first.score - cfg.choice_window))
        return Match("choices", offered)
    return Match("none", misses)
