"""FAQ gaps: the questions the bot could not answer, grouped by similarity with the FAQ's own matcher, and
a new FAQ entry for a group — as a YAML snippet in the content format (``content/FORMAT.md``), checked by
the content checker, and tried on a temporary index of the library with the entry added (in memory; the
library's files are never written).

Grouping: the questions are indexed as if each were an FAQ entry (``FaqIndex.from_phrasings``: the same
normalisation, n-grams, TF-IDF and coverage) and each is searched against the others: it joins the group
of its best match among the questions placed before it when the score reaches ``GROUP_AT``. Pure
functions, no database: the console page (``bot.console.faq_gaps``) reads the rows and calls these in a
worker thread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bot.text.faq_decide import Match, MatchConfig
from bot.text.faq_index import FaqIndex
from content import CONTENT_LANGUAGES, REQUIRED_LANGUAGE, FaqEntry, Library, Problem
from content.check import Checker, read_faq

GROUP_AT = 0.25  # the score at which two unanswered questions ask "the same question" (see group_questions)
NEIGHBOURS = 25  # how many of the most similar questions each one is compared with
TOPICS = ("registration", "pricing", "packaging", "online-selling", "payments", "intellectual-property",
          "green-production", "financing", "export", "bot", "other")


@dataclass(frozen=True)
class Asked:
    """One unanswered question (a ``storage.faq.FaqUnanswered`` row, as plain data)."""

    id: int
    text: str
    language: str | None
    created_at: datetime


@dataclass
class Group:
    questions: list[Asked] = field(default_factory=list)

    @property
    def languages(self) -> Counter[str]:
        return Counter(q.language or "?" for q in self.questions)

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions]

    @property
    def latest(self) -> datetime:
        return max(q.created_at for q in self.questions)


def _language(code: str | None) -> str:
    return code if code in CONTENT_LANGUAGES else REQUIRED_LANGUAGE


def group_questions(asked: Sequence[Asked], config: MatchConfig | None = None,
                    threshold: float = GROUP_AT) -> list[Group]:
    """The questions in groups of similar ones, the largest (then the most recent) first.

    In the order given (newest first), each question joins the group of the question it matches best
    among those already placed, when that score reaches ``threshold``; else it starts a group. Groups never
    merge, so a chain of near neighbours does not pull unrelated questions together."""
    if not asked:
        return []
    index = FaqIndex.from_phrasings(((str(i), {_language(q.language): [q.text]}) for i, q in enumerate(asked)),
                                    config)
    group_of: dict[int, int] = {}
    groups: list[Group] = []
    seen: dict[str, int] = {}  # the same words again: the same group, no search
    for i, question in enumerate(asked):
        key = " ".join(question.text.casefold().split())
        placed = seen.get(key)
        if placed is None:
            best = max((c for c in index.search(question.text, limit=NEIGHBOURS)
                        if int(c.entry_id) in group_of and c.score >= threshold),
                       key=lambda c: c.score, default=None)
            placed = group_of[int(best.entry_id)] if best is not None else len(groups)
            seen[key] = placed
        if placed == len(groups):
            groups.append(Group())
        group_of[i] = placed
        groups[placed].questions.append(question)
    for group in groups:
        group.questions.sort(key=lambda q: q.created_at, reverse=True)
    return sorted(groups, key=lambda g: (-len(g.questions), -g.latest.timestamp()))


@dataclass(frozen=True)
class Draft:
    """What a trainer wrote for a group."""

    entry_id: str
    topic: str
    answers: dict[str, str]  # language -> answer
    phrasings: dict[str, list[str]]  # language -> extra phrasings typed by the trainer


def entry_data(draft: Draft, asked: Iterable[Asked]) -> dict[str, object]:
    """The entry as content YAML data: the trainer's phrasings, then the grouped questions (each once)."""
    questions: dict[str, list[str]] = {}
    for language, texts in [*draft.phrasings.items(), *((_language(q.language), [q.text]) for q in asked)]:
        bucket = questions.setdefault(language, [])
        for text in texts:
            clean = " ".join(text.split())
            if clean and clean.casefold() not in {t.casefold() for t in bucket}:
                bucket.append(clean)
    ordered = {lang: questions[lang] for lang in CONTENT_LANGUAGES if questions.get(lang)}
    answers = {lang: draft.answers[lang].strip() for lang in CONTENT_LANGUAGES if draft.answers.get(lang, "").strip()}
    return {"id": draft.entry_id, "topic": draft.topic, "questions": ordered, "answer": answers}


def snippet(data: dict[str, object]) -> str:
    """The entry as a YAML list of one, ready to paste at the end of a ``faq/<topic>.yaml`` file."""
    return yaml.safe_dump([data], allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def check_snippet(text: str, library: Library) -> tuple[FaqEntry | None, list[Problem]]:
    """Read the snippet back as the bot would (``content.check.read_faq``) against the library: the entry,
    and the problems found (an id already taken, a missing English text, too long, ...)."""
    probe = Library(library.root, faq=dict(library.faq), out_of_scope=dict(library.out_of_scope))
    checker = Checker(Path(library.root))
    checker.file = "snippet.yaml"
    read_faq(checker, yaml.safe_load(text), probe)
    added = [e for key, e in probe.faq.items() if key not in library.faq]
    return (added[0] if added else None), checker.problems


@dataclass(frozen=True)
class Trial:
    question: str
    before: Match
    after: Match


def try_entry(library: Library, entry: FaqEntry, questions: Iterable[str], before: FaqIndex,
              config: MatchConfig | None = None) -> list[Trial]:
    """How the bot answers each question now (``before``, the library's index) and with the entry added
    (a temporary index of the library plus the entry, built here and thrown away)."""
    after = FaqIndex.build([*library.faq.values(), entry], config, library.out_of_scope.values())
    return [Trial(q, before.match(q), after.match(q)) for q in questions]
