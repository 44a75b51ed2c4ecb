"""FAQ matching: any words, any spelling, any of our languages, no word segmenter needed.

How a question is scored against the FAQ:

1. **Normalise**: NFKC (Lao ໜ/ໝ typed as one letter or two meet), casefold, a letter of an unspaced
   script typed three times or more counts once, punctuation and zero-width spaces become spaces. Latin-script words
   also lose their accents (Vietnamese is often typed without them); Lao, Thai, Khmer and Burmese keep
   theirs, and get a second, mark-stripped copy (tone marks and vowel signs are where typos go).
2. **Character n-grams**, TF-IDF weighted (IDF over entries): Latin words give padded 3- and 4-grams
   and the word itself; runs of a script written without spaces (Lao, Thai, Khmer, Burmese) are joined
   and give 2- and 3-grams of code points plus 1- and 2-grams of written syllable clusters (a letter
   with its marks and stacked consonants: :func:`clusters`), so no word segmentation (and no system
   library) is needed. Typos, word order and missing words only cost the n-grams they touch.
3. **Retrieval**: an inverted index (compact arrays) gives the cosine of the question with every
   phrasing of every entry in every language; the rarest n-grams go first and, on very large
   libraries, common ones are only added for the best candidates.
4. **Rerank** (Latin-script words, optional: ``word_weight``, 0 by default since the dev set did no
   better with it): a soft TF-IDF over words, where a word matches a phrasing's word when rapidfuzz's
   ratio is high enough (typos) and counts by its IDF.
5. An entry's score blends its best phrasing's with its **pooled phrasings** per language (words of a
   question spread over several phrasings), then is multiplied by the entry's **coverage** of the
   question (its rare n-grams and words, typos allowed, found anywhere in the entry) to the power
   ``coverage_weight``: "register to vote" shares "register" with register-business but "vote" with
   no entry, so it scores low. A question in a script without spaces has its scores multiplied by
   ``unspaced_scale`` (its code-point n-grams overlap less than spaced words do, so its cosines run
   lower: one set of thresholds then serves every script). Above ``answer_at`` (clear of the
   runner-up by ``margin`` and by ``relative_margin`` of the score, covering ``answer_coverage``)
   → answer; above ``grey_at`` → "did you mean" with the top entries; below → no answer. The
   defaults were chosen on the dev set of the bench only (bench/faq_eval.py; a fresh set is held out).
6. **Out-of-scope examples** (content topic ``out-of-scope``: "register my motorbike", "gold price
   today") are indexed like entries but never answered nor offered: when one matches best the outcome
   is no answer (a person is offered), and as a runner-up it narrows the margin an entry needs.

Everything is pure Python plus rapidfuzz. A question in a language an entry has no phrasings in can
still match that entry's phrasings in another language (Malay ↔ Indonesian share most words); the
candidate carries the language of the phrasing it matched, so the answer can be given in it.
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from bot.context import Deps
    from content import FaqEntry, Library

# Scripts written without spaces between words.
_UNSPACED_RANGES = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x1000, 0x109F),  # Myanmar
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
)
_SPACE_LIKE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_LATIN_FOLD = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"})


_UNSPACED_RE = re.compile("[" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _UNSPACED_RANGES) + "]")
_CHAR_CACHE: dict[str, str] = {}


def is_unspaced(ch: str) -> bool:
    return _UNSPACED_RE.match(ch) is not None


def _clean_char(ch: str) -> str:
    cleaned = _CHAR_CACHE.get(ch)
    if cleaned is None:
        space = ch in _SPACE_LIKE or (unicodedata.category(ch)[0] in "PSZC" and ch not in "%+")
        cleaned = _CHAR_CACHE[ch] = " " if space else ch
    return cleaned


# A letter of a script without spaces typed three or more times ("มากกกก"): once is enough.
_REPEATS_RE = re.compile("([" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _UNSPACED_RANGES) + r"])\1{2,}")
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


# Combining marks of the scripts without spaces (their text needs no decomposition to lose them).
_UNSPACED_MARKS = {
    code: None
    for lo, hi in _UNSPACED_RANGES
    for code in range(lo, hi + 1)
    if unicodedata.category(chr(code)) == "Mn"
}


def fold_latin(word: str) -> str:
    return strip_marks(word.translate(_LATIN_FOLD))


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
    return found


GRAM_SIZES = (2, 3)  # code-point n-grams of unspaced runs
CLUSTER_SIZES: tuple[int, ...] = (1, 2)  # syllable-cluster n-grams of unspaced runs


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text cut into what the matcher compares: n-gram features and (Latin-script) words."""

    features: Counter[str]
    words: tuple[str, ...]  # spaced-script words, accent-folded
    spaced_share: float  # how much of the text is in spaced scripts (0..1)


def analyse(text: str) -> Analysed:
    norm = normalise(text)
    features: list[str] = []
    words: list[str] = []
    runs: list[str] = []
    spaced_chars = unspaced_chars = 0
    current: list[str] = []
    for token in norm.split():
        if _UNSPACED_RE.search(token):
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
        stripped = run.translate(_UNSPACED_MARKS)
        if stripped:
            features.extend(_run_features(stripped, "s"))
    total = spaced_chars + unspaced_chars
    return Analysed(Counter(features), tuple(words), spaced_chars / total if total else 0.0)


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


@dataclass
class _Doc:
    entry: int
    language: str
    text: str
    words: tuple[str, ...]
    spaced_share: float
    from_answer: bool = False
    centroid: bool = False  # all of the entry's phrasings in one language, as one text


_SENTENCE_RE = re.compile(r"(?<=[.!?;:។៕])\s+|\n+|\s\d\)\s")


@dataclass
class FaqIndex:
    """The FAQ, ready to match. Build once per library (see :func:`index_for`)."""

    config: MatchConfig = field(default_factory=MatchConfig)
    entry_ids: list[str] = field(default_factory=list)
    docs: list[_Doc] = field(default_factory=list)
    feature_ids: dict[str, int] = field(default_factory=dict)
    idf: list[float] = field(default_factory=list)
    postings: list[tuple[array[int], array[float]]] = field(default_factory=list)
    default_idf: float = 1.0
    # Each entry's documents are contiguous: its phrasings are docs[starts[e]:ends[e]] (answers follow).
    starts: array[int] = field(default_factory=lambda: array("i"))
    ends: array[int] = field(default_factory=lambda: array("i"))
    out_of_scope: frozenset[str] = frozenset()  # ids of out-of-scope examples (never answered)

    @classmethod
    def build(cls, entries: Iterable[FaqEntry], config: MatchConfig | None = None,
              out_of_scope: Iterable[FaqEntry] = ()) -> FaqIndex:
        entries = list(entries)
        negatives = list(out_of_scope)
        answers = {e.id: dict(e.answer) for e in entries}
        index = cls.from_phrasings(((e.id, e.questions) for e in [*entries, *negatives]), config, answers)
        index.out_of_scope = frozenset(e.id for e in negatives)
        return index

    @classmethod
    def for_library(cls, library: Library, config: MatchConfig | None = None) -> FaqIndex:
        """The library's entries and its out-of-scope examples."""
        return cls.build(library.faq.values(), config, library.out_of_scope.values())

    @classmethod
    def from_phrasings(
        cls,
        entries: Iterable[tuple[str, Mapping[str, Iterable[str]]]],
        config: MatchConfig | None = None,
        answers: Mapping[str, Mapping[str, str]] | None = None,
    ) -> FaqIndex:
        """Index phrasings per entry; with ``answers``, each answer's sentences too (weighted down)."""
        enabled = gc.isenabled()
        gc.disable()  # millions of small objects: the cyclic GC would rescan them over and over
        try:
            return cls._build(entries, config, answers or {})
        finally:
            if enabled:
                gc.enable()

    @classmethod
    def _build(
        cls,
        entries: Iterable[tuple[str, Mapping[str, Iterable[str]]]],
        config: MatchConfig | None,
        answers: Mapping[str, Mapping[str, str]],
    ) -> FaqIndex:
        index = cls(config=config or MatchConfig())
        use_answers = index.config.answer_weight > 0
        use_centroids = index.config.centroid_weight > 0
        # One pass: each text's features as compact arrays of ids and counts; document frequency per entry.
        doc_ids: list[array[int]] = []
        doc_tfs: list[array[int]] = []
        df: list[int] = []
        ids = index.feature_ids
        for entry_id, questions in entries:
            number = len(index.entry_ids)
            index.entry_ids.append(entry_id)
            seen: set[int] = set()
            texts = [(language, p, p, False) for language, phrasings in questions.items() for p in phrasings]
            if use_answers:
                for language, answer in answers.get(entry_id, {}).items():
                    shown = next(iter(questions.get(language) or questions.get("en") or ("",)))
                    texts += [(language, shown, chunk, True) for chunk in _SENTENCE_RE.split(answer)]
            index.starts.append(len(index.docs))
            index.ends.append(len(index.docs))
            analysed = [(language, shown, analyse(text), from_answer, False)
                        for language, shown, text, from_answer in texts]
            if use_centroids:
                pooled: dict[str, tuple[str, Counter[str]]] = {}
                for language, shown, a, from_answer, _ in analysed:
                    if not from_answer:
                        pooled.setdefault(language, (shown, Counter()))[1].update(a.features)
                analysed[:0] = [(language, shown, Analysed(features, (), 0.0), False, True)
                                for language, (shown, features) in pooled.items()]
            for language, shown, a, from_answer, centroid in analysed:
                if not a.features:
                    continue
                index.docs.append(_Doc(number, language, shown, a.words, a.spaced_share, from_answer, centroid))
                if not from_answer:
                    index.ends[number] = len(index.docs)
                fids = array("i")
                for feature in a.features:
                    fid = ids.get(feature)
                    if fid is None:
                        fid = ids[feature] = len(df)
                        df.append(0)
                    fids.append(fid)
                seen.update(fids)
                doc_ids.append(fids)
                doc_tfs.append(array("H", (min(tf, 65535) for tf in a.features.values())))
            for fid in seen:
                df[fid] += 1
        # IDF over entries, not phrasings: an entry's many phrasings of one word count once.
        n = len(index.entry_ids)
        index.default_idf = math.log((n + 1) / 1) + 1
        index.idf = [math.log((n + 1) / (count + 1)) + 1 for count in df]
        index.postings = [(array("i"), array("f")) for _ in df]
        postings, idf, log = index.postings, index.idf, math.log
        for doc_number, (fids, tfs) in enumerate(zip(doc_ids, doc_tfs, strict=True)):
            vector = [(fid, idf[fid] if tf == 1 else (1 + log(tf)) * idf[fid])
                      for fid, tf in zip(fids, tfs, strict=True)]
            norm = math.sqrt(sum(w * w for _, w in vector)) or 1.0
            for fid, weight in vector:
                docs, weights = postings[fid]
                docs.append(doc_number)
                weights.append(weight / norm)
            doc_ids[doc_number] = doc_tfs[doc_number] = array("i")  # free as we go
        return index

    def __len__(self) -> int:
        return len(self.entry_ids)

    # --- scoring ---------------------------------------------------------------------------------
    def _weigh(self, features: Counter[str]) -> dict[int, float]:
        vector: dict[int, float] = {}
        for feature, tf in features.items():
            fid = self.feature_ids.get(feature)
            if fid is not None:
                vector[fid] = (1 + math.log(tf)) * self.idf[fid]
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {fid: w / norm for fid, w in vector.items()}

    def _query_vector(self, features: Counter[str]) -> dict[int, float]:
        """Like ``_weigh``, but n-grams the library never saw still count in the norm (typos cost)."""
        raw: dict[int, float] = {}
        unknown = 0.0
        for feature, tf in features.items():
            fid = self.feature_ids.get(feature)
            weight = 1 + math.log(tf)
            if fid is None:
                unknown += (weight * self.default_idf) ** 2
            else:
                raw[fid] = weight * self.idf[fid]
        norm = math.sqrt(sum(w * w for w in raw.values()) + unknown) or 1.0
        return {fid: w / norm for fid, w in raw.items()}

    def _cosines(self, query: dict[int, float]) -> dict[int, float]:
        cfg = self.config
        order = sorted(query.items(), key=lambda item: -item[1])
        scores: dict[int, float] = {}
        read = 0
        rest: list[tuple[int, float]] = []
        for fid, qw in order:
            docs, weights = self.postings[fid]
            if read and read + len(docs) > cfg.posting_budget:
                rest.append((fid, qw))
                continue
            read += len(docs)
            get = scores.get
            for d, w in zip(docs, weights, strict=True):
                scores[d] = get(d, 0.0) + qw * w
        if rest and scores:
            top = sorted(scores, key=scores.__getitem__, reverse=True)[: cfg.candidates]
            for fid, qw in rest:
                docs, weights = self.postings[fid]
                for d in top:
                    i = bisect_left(docs, d)
                    if i < len(docs) and docs[i] == d:
                        scores[d] += qw * weights[i]
        return scores

    def _word_vector(self, words: Iterable[str]) -> dict[str, float]:
        vector: dict[str, float] = {}
        for word in words:
            fid = self.feature_ids.get("w" + word)
            vector[word] = self.idf[fid] if fid is not None else self.default_idf
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {w: v / norm for w, v in vector.items()}

    def _soft_words(self, query: dict[str, float], doc_words: tuple[str, ...]) -> float:
        """Soft TF-IDF: each query word meets its closest phrasing word (rapidfuzz ratio ≥ threshold)."""
        if not query or not doc_words:
            return 0.0
        target = self._word_vector(doc_words)
        cutoff = self.config.word_similarity
        total = 0.0
        for word, qw in query.items():
            exact = target.get(word)
            if exact is not None:
                total += qw * exact
                continue
            if len(word) < 4:
                continue
            best = 0.0
            for other, tw in target.items():
                if len(other) < 4:
                    continue
                sim = fuzz.ratio(word, other, score_cutoff=cutoff)
                if sim:
                    best = max(best, tw * sim / 100)
            total += qw * best
        return min(total, 1.0)

    def _rarity(self, features: Counter[str] | Iterable[str], prefix: str = "") -> dict[str, float]:
        """Each feature's share of the question's informativeness: IDF − 1 (0 for what every entry has;
        the most for what no entry has), squared, summing to 1."""
        out: dict[str, float] = {}
        for feature in features:
            fid = self.feature_ids.get(prefix + feature)
            weight = (self.idf[fid] if fid is not None else self.default_idf) - 1
            out[feature] = weight * weight
        total = sum(out.values())
        return {f: w / total for f, w in out.items()} if total else {}

    def _coverage(self, entry: int, grams: dict[str, float], words: dict[str, float], word_share: float) -> float:
        """How much of the question the entry's phrasings (all of them, any language) cover, weighed by
        rarity (:meth:`_rarity`): over n-grams, and over whole words (typos allowed) for spaced scripts.
        An entry that explains only the common part of a question ("register" of "register to vote",
        where "vote" is in no entry) is penalised."""
        start, end = self.starts[entry], self.ends[entry]
        if end <= start:
            return 0.0
        postings, ids = self.postings, self.feature_ids
        gram_cover = 0.0
        for feature, share in grams.items():
            fid = ids.get(feature)
            if fid is None:
                continue
            docs = postings[fid][0]
            i = bisect_left(docs, start)
            if i < len(docs) and docs[i] < end:
                gram_cover += share
        if word_share <= 0 or not words:
            return gram_cover
        known: set[str] = set()
        for doc in self.docs[start:end]:
            known.update(doc.words)
        cutoff = self.config.word_similarity
        word_cover = 0.0
        for word, share in words.items():
            if word in known:
                word_cover += share
            elif len(word) >= 4:
                got = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=cutoff)
                if got is not None:  # a typo: partial credit, from none at the cutoff to all at equal
                    word_cover += share * (got[1] - cutoff) / (100 - cutoff)
        return (1 - word_share) * gram_cover + word_share * word_cover

    def search(self, question: str, limit: int = 5) -> list[Candidate]:
        """Entries best first (one candidate per entry, with its best phrasing)."""
        analysed = analyse(question)
        if not analysed.features or not self.docs:
            return []
        query = self._query_vector(analysed.features)
        cosines = self._cosines(query)
        if not cosines:
            return []
        cfg = self.config
        if cfg.answer_weight > 0:
            docs = self.docs
            cosines = {d: c * cfg.answer_weight if docs[d].from_answer else c for d, c in cosines.items()}
        pooled: dict[int, float] = {}
        if cfg.centroid_weight > 0:
            docs = self.docs
            for d, c in list(cosines.items()):
                if docs[d].centroid:
                    entry = docs[d].entry
                    pooled[entry] = max(pooled.get(entry, 0.0), c)
                    del cosines[d]
        top = sorted(cosines, key=cosines.__getitem__, reverse=True)[: cfg.rerank]
        query_words = self._word_vector(analysed.words)
        share = analysed.spaced_share * cfg.word_weight
        best: dict[int, tuple[float, _Doc]] = {}
        for d in top:
            doc = self.docs[d]
            score = cosines[d]
            if share and doc.words:
                soft = self._soft_words(query_words, doc.words)
                score = (1 - share) * score + share * soft * (cfg.answer_weight if doc.from_answer else 1.0)
            known = best.get(doc.entry)
            if known is None or score > known[0]:
                best[doc.entry] = (score, doc)
        if pooled:
            blend = cfg.centroid_weight
            best = {e: ((1 - blend) * score + blend * pooled.get(e, 0.0), doc) for e, (score, doc) in best.items()}
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[: max(limit, cfg.coverage_entries)]
        out = []
        word_share = analysed.spaced_share * cfg.word_coverage
        rare_grams = self._rarity(analysed.features)
        rare_words = self._rarity(analysed.words, "w")
        scale = cfg.unspaced_scale ** (1 - analysed.spaced_share)
        for number, (score, doc) in ranked:
            coverage = self._coverage(number, rare_grams, rare_words, word_share)
            score *= coverage ** cfg.coverage_weight * scale
            entry_id = self.entry_ids[number]
            in_scope = entry_id not in self.out_of_scope
            if not in_scope:
                score *= cfg.out_of_scope_weight
            out.append(Candidate(entry_id, round(score, 4), doc.language, doc.text, round(coverage, 4), in_scope))
        return sorted(out, key=lambda c: -c.score)[:limit]

    def match(self, question: str) -> Match:
        cfg = self.config
        found = self.search(question, limit=max(cfg.choices, 3) + 2)  # room for out-of-scope examples
        return decide(found, cfg)


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


EXTRAS_KEY = "faq_index"


def index_for(deps: Deps, config: MatchConfig | None = None) -> FaqIndex:
    """The FAQ index of the running library, built on first use and kept in ``deps.extras``."""
    cached: Any = deps.extras.get(EXTRAS_KEY)
    if isinstance(cached, tuple) and cached[0] is deps.library and isinstance(cached[1], FaqIndex):
        return cached[1]
    index = FaqIndex.for_library(deps.library, config)
    deps.extras[EXTRAS_KEY] = (deps.library, index)
    return index
