"""Parts of the FAQ matching evaluation (bench/faq_eval.py): labelled items, their scores and the
threshold tuning, the plain rapidfuzz baseline, and the synthetic large library for timings.

Imported by bench/faq_eval.py (run from the repository root: ``.venv/bin/python bench/faq_eval.py``).
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.text.faq_decide import Candidate, Match, MatchConfig, decide  # noqa: E402
from content import FaqEntry  # noqa: E402

FALSE_MAX = 0.03
GREY_PENALTY = 0.5
# The issue asks for three zones by confidence: the grey zone is a band of scores below the answer
# threshold at least this wide (not only ties between two entries).
GREY_BAND = 0.05
Z_ONE_SIDED_95 = 1.645
UNSPACED_SCALES = (1.0, 1.5, 2.0, 2.5)  # MatchConfig.unspaced_scale values tried
OUT_OF_SCOPE_WEIGHTS = (0.8, 1.0, 1.25)  # MatchConfig.out_of_scope_weight values tried


@dataclass(frozen=True)
class Item:
    q: str
    lang: str
    expect: str | None


def load_items(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("items") or data.get("questions") or []
    items = []
    for raw in data:
        expect = raw.get("expect")
        if expect in (None, "none", "None", ""):
            expect = None
        items.append(Item(str(raw["q"]), str(raw.get("lang", "?")), expect))
    return items


@dataclass
class Scores:
    n: int = 0
    top1: int = 0
    strict: int = 0
    false: int = 0
    grey: int = 0

    def add(self, item: Item, match: Match) -> None:
        self.n += 1
        best = match.best.entry_id if match.best else None
        if match.outcome == "choices":
            self.grey += 1
        if item.expect is None:
            self.top1 += match.outcome == "none"
            self.strict += match.outcome == "none"
            self.false += match.outcome == "answer"
        else:
            self.top1 += match.outcome != "none" and best == item.expect
            self.strict += match.outcome == "answer" and best == item.expect
            self.false += match.outcome == "answer" and best != item.expect

    def rate(self, value: int) -> float:
        return value / self.n if self.n else 0.0

    @property
    def false_bound(self) -> float:
        """Upper end of the one-sided 95% Wilson interval of the false-answer rate."""
        if not self.n:
            return 1.0
        z, n, p = Z_ONE_SIDED_95, self.n, self.false / self.n
        centre = p + z * z / (2 * n)
        spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre + spread) / (1 + z * z / n)

    def tuning_key(self) -> tuple[bool, int, float]:
        """Bigger is better: within the false-answer bound, then fewer false answers, then the objective."""
        ok = self.false_bound <= FALSE_MAX
        return ok, 0 if ok else -self.false, self.objective

    @property
    def objective(self) -> float:
        return self.rate(self.top1) - GREY_PENALTY * self.rate(self.grey)

    def row(self) -> str:
        return (f"{self.n} | {self.rate(self.top1):.1%} | {self.rate(self.strict):.1%} | "
                f"{self.rate(self.false):.1%} | {self.rate(self.grey):.1%}")


def score(items: Iterable[Item], found: dict[str, list[Candidate]], cfg: MatchConfig) -> Scores:
    s = Scores()
    for item in items:
        s.add(item, decide(found[item.q], cfg))
    return s


def frange(start: float, stop: float, step: float) -> list[float]:
    out, x = [], start
    while x <= stop + 1e-9:
        out.append(round(x, 4))
        x += step
    return out


def _first_two(items: Sequence[Item], found: dict[str, list[Candidate]], grey_coverage: float,
               ) -> list[tuple[float, float, float, bool, bool]]:
    """What :func:`bot.text.faq_decide.decide` looks at, per item: the best score, its gap to the runner-up,
    the best entry's coverage, whether it is the expected entry, whether the item is labelled none."""
    out = []
    for item in items:
        got = found[item.q]
        if grey_coverage > 0:
            got = [c for c in got if c.coverage >= grey_coverage] or [replace(c, score=0.0) for c in got]
        if not got or not got[0].in_scope:  # nothing, or an out-of-scope example first: outcome none
            out.append((-1.0, 0.0, 0.0, False, item.expect is None))
            continue
        second = got[1].score if len(got) > 1 else 0.0
        out.append((got[0].score, got[0].score - second, got[0].coverage, got[0].entry_id == item.expect,
                    item.expect is None))
    return out


def _score_fast(rows: list[tuple[float, float, float, bool, bool]], cfg: MatchConfig) -> Scores:
    """Same counts as :func:`score` over :func:`decide`, from :func:`_first_two`'s rows."""
    s = Scores(n=len(rows))
    answer_at, grey_at, margin, relative, covered = (cfg.answer_at, cfg.grey_at, cfg.margin, cfg.relative_margin,
                                                     cfg.answer_coverage)
    for best, gap, coverage, right, none in rows:
        if best < 0:  # nothing found: outcome none
            s.top1 += none
            s.strict += none
        elif best >= answer_at and gap >= margin and gap >= relative * best and coverage >= covered:
            s.false += none or not right
            s.top1 += right and not none
            s.strict += right and not none
        elif best >= grey_at:
            s.grey += 1
            s.top1 += right and not none
        else:
            s.top1 += none
            s.strict += none
    return s


def tune_thresholds(items: Sequence[Item], found: dict[str, list[Candidate]], base: MatchConfig,
                    scale: float = 1.0, relative_margins: Sequence[float] = (0.0, 0.25, 0.5),
                    coverages: Sequence[tuple[float, float]] = ((0.0, 0.0), (0.2, 0.0), (0.25, 0.0), (0.3, 0.0),
                                                                (0.5, 0.0), (0.0, 0.1)),
                    ) -> tuple[MatchConfig, Scores]:
    """Grid over answer_at, grey_at, margin, relative margin and the coverage an answer needs; best
    objective within the false-answer bound (see :meth:`Scores.tuning_key`)."""
    best: tuple[tuple[bool, int, float], MatchConfig, Scores] | None = None
    rows = {grey: _first_two(items, found, grey) for grey in {g for _, g in coverages}}
    for answer_at in frange(0.1, 1.01, 0.025):
        for grey_at in frange(0.05, answer_at - GREY_BAND, 0.025):
            for margin in (0.0, 0.03, 0.06, 0.1, 0.15):
                for relative in relative_margins:
                    for covered, grey_covered in coverages:
                        cfg = replace(base, answer_at=answer_at * scale, grey_at=grey_at * scale,
                                      margin=margin * scale, relative_margin=relative, answer_coverage=covered,
                                      grey_coverage=grey_covered, choice_window=base.choice_window * scale)
                        s = _score_fast(rows[grey_covered], cfg)
                        key = s.tuning_key()
                        if best is None or key[:2] > best[0][:2] or (
                                key[:2] == best[0][:2] and key[2] > best[0][2] + 1e-9):
                            best = (key, cfg, s)
    assert best is not None
    # _first_two/_score_fast mirror bot.text.faq_decide.decide for speed: check they still agree with it.
    assert score(items, found, best[1]) == best[2], "bench shortcut disagrees with bot.text.faq_decide.decide"
    return best[1], best[2]


def tune_single(items: Sequence[Item], found: dict[str, list[Candidate]]) -> MatchConfig:
    """One threshold (extractOne): answer at or above it, else none; same objective and limit."""
    best: tuple[tuple[bool, int, float], MatchConfig] | None = None
    for t in frange(0.0, 1.01, 0.01):
        cfg = MatchConfig(answer_at=t, grey_at=t, margin=0.0)
        key = score(items, found, cfg).tuning_key()
        if best is None or key[:2] > best[0][:2] or (key[:2] == best[0][:2] and key[2] > best[0][2] + 1e-9):
            best = (key, cfg)
    assert best is not None
    return best[1]


# --- the baseline: rapidfuzz WRatio over every phrasing -----------------------------------------


class Baseline:
    """Every phrasing of the entries (and of the out-of-scope examples: the same knowledge as ours)."""

    def __init__(self, entries: Iterable[FaqEntry], out_of_scope: Iterable[FaqEntry] = ()) -> None:
        self.choices: list[str] = []
        self.owners: list[tuple[str, str]] = []
        negatives = list(out_of_scope)
        self.out_of_scope = {e.id for e in negatives}
        for entry in [*entries, *negatives]:
            for lang, phrasings in entry.questions.items():
                for p in phrasings:
                    self.choices.append(p)
                    self.owners.append((entry.id, lang))

    def search(self, q: str, limit: int = 3) -> list[Candidate]:
        got = process.extract(q, self.choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=30)
        out: dict[str, Candidate] = {}
        for text, value, i in got:
            entry_id, lang = self.owners[i]
            if entry_id not in out:
                out[entry_id] = Candidate(entry_id, value / 100, lang, text, in_scope=entry_id not in self.out_of_scope)
        return sorted(out.values(), key=lambda c: -c.score)[:limit]

    def extract_one(self, q: str) -> tuple[str, float] | None:
        got = process.extractOne(q, self.choices, scorer=fuzz.WRatio, processor=utils.default_process)
        return None if got is None else (self.owners[got[2]][0], got[1])


# --- a 10,000-entry library ----------------------------------------------------------------------

FILLER = ["craft", "village", "market", "silk", "bamboo", "clay", "indigo", "loom", "basket", "festival",
          "ທ້ອງຖິ່ນ", "ຜ້າໄໝ", "ผ้าไหม", "หมู่บ้าน", "ភូមិ", "សូត្រ", "làng", "lụa", "desa", "tenun"]


def perturb(text: str, rng: random.Random) -> str:
    """A typo, a swapped pair of words or a dropped word, plus a filler word: near-duplicates."""
    words = text.split()
    roll = rng.random()
    if roll < 0.3 and len(words) > 2:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif roll < 0.5 and len(words) > 3:
        del words[rng.randrange(len(words))]
    text = " ".join(words)
    if len(text) > 4:
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(text) + text[i + 1:]
    return f"{text} {rng.choice(FILLER)} {rng.choice(FILLER)}{rng.randrange(1000)}"


def synthesise(entries: list[FaqEntry], total: int, seed: int = 7) -> list[tuple[str, dict[str, list[str]]]]:
    rng = random.Random(seed)
    out: list[tuple[str, dict[str, list[str]]]] = [(e.id, {k: list(v) for k, v in e.questions.items()})
                                                   for e in entries]
    copy = 0
    while len(out) < total:
        copy += 1
        for e in entries:
            if len(out) >= total:
                break
            out.append((f"{e.id}#{copy}",
                        {k: [perturb(p, rng) for p in v] for k, v in e.questions.items()}))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[str], object], queries: list[str], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - started) * 1000)
    return times



def score_matches(items: Iterable[Item], matched: dict[str, Match]) -> Scores:
    """Like :func:`score`, for outcomes already decided (``FaqIndex.match``: long questions by their parts)."""
    s = Scores()
    for item in items:
        s.add(item, matched[item.q])
    return s


def long_messages(items: Sequence[Item], pairs: int = 300, seed: int = 11) -> list[tuple[str, frozenset[str]]]:
    """Two labelled questions of one language joined into one message (half with a full stop between,
    half run on), and what they expect: both entries, or nothing when both are labelled none (pairs of an
    entry and a none are left out: they expect one thing and forbid nothing)."""
    rng = random.Random(seed)
    by_lang: dict[str, list[Item]] = {}
    for item in items:
        by_lang.setdefault(item.lang, []).append(item)
    out: list[tuple[str, frozenset[str]]] = []
    langs = sorted(lang for lang, group in by_lang.items() if len(group) > 1)
    while langs and len(out) < pairs:
        first, second = rng.sample(by_lang[rng.choice(langs)], 2)
        if (first.expect is None) != (second.expect is None) or (first.expect and first.expect == second.expect):
            continue
        glue = ". " if len(out) % 2 else " "
        out.append((first.q.rstrip("?？ ") + glue + second.q,
                    frozenset(e for e in (first.expect, second.expect) if e)))
    return out


@dataclass
class LongScores:
    pairs: int = 0  # messages asking two things
    both: int = 0  # both entries answered or offered
    one: int = 0  # at least one of them
    chatter: int = 0  # messages of two none-labelled questions
    quiet: int = 0  # ... that got outcome none
    false: int = 0  # answered with an entry not asked about (or anything, for chatter)

    def add(self, expected: frozenset[str], match: Match) -> None:
        got = {c.entry_id for c in match.candidates} if match.outcome != "none" else set()
        if expected:
            self.pairs += 1
            self.both += expected <= got
            self.one += bool(expected & got)
            self.false += match.outcome == "answer" and not got <= expected
        else:
            self.chatter += 1
            self.quiet += match.outcome == "none"
            self.false += match.outcome == "answer"

    def row(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a / b:.1%}" if b else "-"
        return (f"{self.pairs} | {pct(self.both, self.pairs)} | {pct(self.one, self.pairs)} | {self.chatter} | "
                f"{pct(self.quiet, self.chatter)} | {self.false}")
