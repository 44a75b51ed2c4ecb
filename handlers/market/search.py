"""Marketplace search: typo-tolerant, mixed-language, in memory, kept in step with the database.

Text is normalised once when a listing is saved (``search_text``: :func:`bot.text.normalise_search`,
NFC, casefolded, Latin accents dropped so "lua" finds "lụa", confusable spellings such as Khmer ្ដ/្ត
folded) and split into terms
(:func:`bot.text.split_terms`): words for scripts written with spaces, character trigrams for Thai,
Lao, Khmer and Myanmar, which are written without spaces between words.

``SearchIndex`` holds an inverted index term → listing ids of active listings. A query word is looked up
exactly, as a prefix, and with rapidfuzz (:func:`bot.text.close_words`) against the vocabulary of
distinct words (a few thousand entries, not 50,000 documents); a run of Thai/Lao/Khmer/Myanmar text
scores by the share of its trigrams a listing contains. Listings score the sum of their best match per
query term; ties go to the newest. Each process keeps its own index and brings it up to date before
every search with one indexed query for listings changed since the last look (``updated_at``;
:func:`storage.market_search.index_rows`), so several workers agree.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import chain

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, translator
from bot.text.features import SEARCH_UNSPACED_RE, close_words, split_terms, terms_of
from bot.text.normalise import fold_confusables, normalise_search
from storage.market import ListingStatus
from storage.market_search import index_rows

LOOKBACK = timedelta(minutes=5)  # re-read recent changes: a slow transaction may commit after our look

# The search form of a text (kept importable here: listings store it as ``search_text``).


@cache
def category_terms(code: str) -> frozenset[str]:
    """The category's name in every language we have, so "ceramics" and "เซรามิก" both find it."""
    from handlers.choices import CRAFTS

    label = CRAFTS.get(code, CRAFTS["other"])
    names = {label, code} | {translator(lang).gettext(label) for lang in LANGUAGES}
    return frozenset(terms_of(normalise_search(" ".join(names))))


@dataclass
class SearchIndex:
    postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[int, set[str]] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    watermark: datetime | None = None
    _vocab: list[str] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- maintenance -----------------------------------------------------------------------------
    def add(self, listing_id: int, search_text: str, created_at: datetime, category: str | None = None) -> None:
        self.remove(listing_id)
        # Folded again: a listing saved before a confusable spelling was folded (``search_text`` is stored)
        # is found by either spelling too; on text folded already this changes nothing.
        terms = terms_of(fold_confusables(search_text))
        if category:
            terms |= category_terms(category)
        self.terms[listing_id] = terms
        self.created[listing_id] = created_at.timestamp()
        for term in terms:
            if term not in self.postings:
                self._vocab = None
            self.postings[term].add(listing_id)

    def remove(self, listing_id: int) -> None:
        for term in self.terms.pop(listing_id, ()):
            ids = self.postings.get(term)
            if ids is not None:
                ids.discard(listing_id)
                if not ids:
                    del self.postings[term]
                    self._vocab = None
        self.created.pop(listing_id, None)

    def __len__(self) -> int:
        return len(self.terms)

    async def refresh(self, session: AsyncSession) -> int:
        """Bring the index up to date with the database; returns how many rows were read."""
        async with self._lock:
            since = None if self.watermark is None else self.watermark - LOOKBACK
            rows = await index_rows(session, since)
            newest = self.watermark
            for listing_id, status, text, category, created_at, updated_at in rows:
                if status == ListingStatus.ACTIVE:
                    self.add(listing_id, text, created_at, category)
                else:
                    self.remove(listing_id)
                if newest is None or updated_at > newest:
                    newest = updated_at
            if self.watermark is None and newest is None:
                newest = datetime(1970, 1, 1, tzinfo=UTC)
            self.watermark = newest
            return len(rows)

    # --- lookup ----------------------------------------------------------------------------------
    @property
    def vocab(self) -> list[str]:
        if self._vocab is None:
            self._vocab = sorted(t for t in self.postings if not SEARCH_UNSPACED_RE.match(t))
        return self._vocab

    def _word_matches(self, word: str) -> dict[str, float]:
        """Vocabulary words close to ``word``, with a score out of 100."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 100.0
        vocab = self.vocab
        if len(word) >= 3:  # a prefix: "cera" finds "ceramic"
            start = bisect.bisect_left(vocab, word)
            for term in vocab[start : start + 200]:
                if not term.startswith(word):
                    break
                found.setdefault(term, 90.0)
        if len(word) >= 4 and not word.isdigit():
            cutoff = 75.0 if len(word) == 4 else 72.0
            for term, score in close_words(word, vocab, cutoff, limit=50):
                if abs(len(term) - len(word)) <= 3:
                    found[term] = max(found.get(term, 0.0), score)
        return found

    def _word_levels(self, word: str) -> list[tuple[float, set[int]]]:
        """Listings matching a word, grouped by how well (disjoint sets, best first)."""
        seen: set[int] = set()
        levels: list[tuple[float, set[int]]] = []
        for term, score in sorted(self._word_matches(word).items(), key=lambda kv: -kv[1]):
            ids = self.postings.get(term)
            if ids:
                new = ids - seen
                if new:
                    levels.append((score, new))
                    seen |= new
        return levels

    def _run_levels(self, grams: list[str]) -> list[tuple[float, set[int]]]:
        """Listings containing most trigrams of a Thai/Lao/Khmer/Myanmar run, grouped by the share found."""
        unique = set(grams)
        counts = Counter(chain.from_iterable(self.postings.get(g, ()) for g in unique))
        need = max(1, math.ceil(len(unique) * 0.7 - 1e-9))  # a typo costs up to 3 trigrams of 10
        by_hits: dict[int, set[int]] = defaultdict(set)
        for listing_id, hits in counts.items():
            if hits >= need:
                by_hits[hits].add(listing_id)
        return [(100.0 * hits / len(unique), ids) for hits, ids in sorted(by_hits.items(), reverse=True)]

    def search(self, query: str, limit: int = 50) -> list[int]:
        """Active listing ids best matching ``query``: listings matching every term first, by score, then the
        best partial matches; newest first among equals."""
        words, runs = split_terms(normalise_search(query))
        terms = [self._word_levels(w) for w in dict.fromkeys(words)][:8] + [self._run_levels(r) for r in runs][:4]
        terms = [levels for levels in terms if levels]
        if not terms:
            return []
        created = self.created
        scores: list[dict[int, float]] = []
        for levels in terms:
            table: dict[int, float] = {}
            for score, ids in levels:
                table.update(dict.fromkeys(ids, score))
            scores.append(table)
        smallest = min(range(len(scores)), key=lambda n: len(scores[n]))
        full = set(scores[smallest]).intersection(*scores)
        if len(scores) == 1:
            found = heapq.nlargest(limit, full, key=lambda i: (scores[0][i], created[i]))
        else:
            found = heapq.nlargest(limit, full, key=lambda i: (sum(t[i] for t in scores), created[i]))
        if len(found) < limit:  # then listings matching some of the terms, best match first
            taken = set(found)
            for _score, ids in sorted((level for levels in terms for level in levels), key=lambda lv: -lv[0]):
                fresh = ids - taken
                if not fresh:
                    continue
                more = heapq.nlargest(limit - len(found), fresh, key=created.__getitem__)
                found += more
                taken.update(more)
                if len(found) >= limit:
                    break
        return found
