"""The FAQ index: any words, any spelling, any of our languages, no word segmenter needed.

How a question is scored against the FAQ (the decision itself is :func:`bot.text.faq_decide.decide`):

1. **Normalise** (:func:`bot.text.normalise.normalise`): NFKC, casefold, a letter of an unspaced script
   typed three times or more counts once, punctuation and zero-width spaces become spaces. Latin-script
   words also lose their accents (Vietnamese is often typed without them); Lao, Thai, Khmer and Burmese
   keep theirs, and get a second, mark-stripped copy (tone marks and vowel signs are where typos go).
2. **Character n-grams** (:func:`bot.text.features.analyse`), TF-IDF weighted (IDF over entries): Latin
   words give padded 3- and 4-grams and the word itself; runs of a script written without spaces are
   joined and give 2- and 3-grams of code points plus 1- and 2-grams of written syllable clusters, so
   no word segmentation is needed. Typos, word order and missing words only cost the n-grams they touch.
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
   lower: one set of thresholds then serves every script). Out-of-scope examples (content topic
   ``out-of-scope``: "register my motorbike", "gold price today") are indexed like entries, their
   scores times ``out_of_scope_weight``.

Everything is pure Python plus rapidfuzz. A question in a language an entry has no phrasings in can
still match that entry's phrasings in another language (Malay ↔ Indonesian share most words); the
candidate carries the language of the phrasing it matched, so the answer can be given in it.
"""

from __future__ import annotations

import gc
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from bot.text.faq_decide import Candidate, Match, MatchConfig, decide
from bot.text.faq_parts import decide_parts, split_parts
from bot.text.features import Analysed, analyse, close_words

if TYPE_CHECKING:
    from bot.context import Deps
    from content import FaqEntry, Library

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
                for _, similarity in close_words(word, known, cutoff, limit=1):
                    # a typo: partial credit, from none at the cutoff to all at equal
                    word_cover += share * (similarity - cutoff) / (100 - cutoff)
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
        """Answer, "did you mean" or none (:func:`decide`); a long question not answered as a whole is
        also matched by its parts, which may offer choices, never an answer (:mod:`bot.text.faq_parts`)."""
        cfg = self.config
        limit = max(cfg.choices, 3) + 2  # room for out-of-scope examples
        whole = decide(self.search(question, limit=limit), cfg)
        parts = [] if whole.outcome == "answer" else split_parts(question, cfg.parts_from_words)
        if not parts:
            return whole
        return decide_parts(whole, [decide(self.search(part, limit=limit), cfg) for part in parts], cfg)



EXTRAS_KEY = "faq_index"


def index_for(deps: Deps, config: MatchConfig | None = None) -> FaqIndex:
    """The FAQ index of the running library, built on first use and kept in ``deps.extras``."""
    cached: Any = deps.extras.get(EXTRAS_KEY)
    if isinstance(cached, tuple) and cached[0] is deps.library and isinstance(cached[1], FaqIndex):
        return cached[1]
    index = FaqIndex.for_library(deps.library, config)
    deps.extras[EXTRAS_KEY] = (deps.library, index)
    return index
