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

Speed (``bench/search.py``: p99 of a few ms at 50,000 listings) comes from never touching listings one
by one in Python: a query term's matches are kept as sets by score (cached per term until the index
changes), the listings matching every term are split by total score with set operations, and the newest
of a big set are read off a newest-first list of all listings instead of sorting the set.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import math
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from itertools import filterfalse, islice
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import LANGUAGES, translator
from bot.text.features import SEARCH_UNSPACED_RE, close_words, split_terms, terms_of
from bot.text.normalise import fold_confusables, normalise_search
from storage.market import ListingStatus
from storage.market_search import index_rows

# The rows an index is built from: (id, status, search text, category codes separated by spaces, created,
# updated) of every live item (``changed_since`` None) or of every item changed since then.
RowLoader = Callable[[AsyncSession, datetime | None], Awaitable[Sequence[Any]]]

LOOKBACK = timedelta(minutes=5)  # re-read recent changes: a slow transaction may commit after our look
REBUILD = 1000  # a catch-up of more rows than this sorts the newest-first list afresh, not row by row
CACHE_TERMS = 2000  # query terms whose matches are kept, least recently used out
CACHE_IDS = 500_000  # listing ids in sets of their own the cache may hold (about 20 MB at most)
EMPTY: frozenset[int] = frozenset()

# The search form of a text (kept importable here: listings store it as ``search_text``).


@cache
def category_terms(code: str) -> frozenset[str]:
    """The category's name in every language we have, so "ceramics" and "เซรามิก" both find it."""
    from handlers.choices import CRAFTS

    label = CRAFTS.get(code, CRAFTS["other"])
    names = {label, code} | {translator(lang).gettext(label) for lang in LANGUAGES}
    return frozenset(terms_of(normalise_search(" ".join(names))))


IdSet = set[int] | frozenset[int]
Level = tuple[float, IdSet]


class Matches(NamedTuple):
    """The listings matching one query term. Its sets are often the index's own: never change them."""

    levels: list[Level]  # best score first; a listing in several levels counts in the first
    scores: list[tuple[float, list[IdSet]]]  # the same sets by score, best first
    bound: int  # at least the number of listings (the sum of the levels' sizes)
    size: int  # ids held in sets of its own (none for a word's postings), for the cache's budget


def matches(levels: list[Level], owned: bool) -> Matches:
    by_score: dict[float, list[IdSet]] = {}
    for score, ids in levels:
        by_score.setdefault(score, []).append(ids)
    bound = sum(len(ids) for _, ids in levels)
    return Matches(levels, sorted(by_score.items(), key=itemgetter(0), reverse=True), bound, bound if owned else 0)


def within(part: IdSet, sets: list[IdSet]) -> IdSet:
    """The listings of ``part`` in any of ``sets`` (each step costs the smaller of the two)."""
    if len(sets) == 1:
        return part & sets[0]
    return set().union(*(part & ids for ids in sets))


def matching_all(terms: list[Matches]) -> IdSet:
    """The listings matching every term: the smallest term's, then kept if they match each other term."""
    terms = sorted(terms, key=itemgetter(2))
    first = [ids for _, ids in terms[0].levels]
    full: IdSet = first[0] if len(first) == 1 else set().union(*first)
    for term in terms[1:]:
        if not full:
            break
        full = within(full, [ids for _, ids in term.levels])
    return full


def by_total(full: IdSet, terms: list[Matches]) -> dict[float, IdSet]:
    """``full`` split by the total of each listing's best score per term."""
    totals: dict[float, IdSet] = {0: full} if full else {}
    for term in terms:
        split: dict[float, IdSet] = {}
        for total, part in totals.items():
            for n, (score, sets) in enumerate(term.scores, 1):
                hit = part if n == len(term.scores) else within(part, sets)  # the last score takes the rest
                if hit:
                    have = split.get(total + score)
                    split[total + score] = hit if have is None else have | hit
                    if len(hit) == len(part):
                        break
                    part = part - hit
        totals = split
    return totals


@dataclass
class SearchIndex:
    postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[int, set[str]] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    watermark: datetime | None = None
    _vocab: list[str] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Listings by default; the directory's index reads profiles (storage.directory.index_rows).
    loader: RowLoader = index_rows
    live: str = ListingStatus.ACTIVE
    # Ids oldest first by (created, id); None: sorted again when next needed.
    _by_age: list[int] | None = None
    # Query term → its matches: a word's hold postings (kept until the vocabulary changes), a Thai/Lao/
    # Khmer/Myanmar run's sets of its own (kept until any posting changes).
    _words: OrderedDict[tuple[str, ...], Matches] = field(default_factory=OrderedDict)
    _runs: OrderedDict[tuple[str, ...], Matches] = field(default_factory=OrderedDict)
    _run_ids: int = 0

    # --- maintenance -----------------------------------------------------------------------------
    def add(self, listing_id: int, search_text: str, created_at: datetime, category: str | None = None) -> None:
        # Folded again: a listing saved before a confusable spelling was folded (``search_text`` is stored)
        # is found by either spelling too; on text folded already this changes nothing.
        terms = terms_of(fold_confusables(search_text))
        for code in (category or "").split():  # one code, or a profile's several crafts
            terms |= category_terms(code)
        created = created_at.timestamp()
        if self.terms.get(listing_id) == terms and self.created.get(listing_id) == created:
            return  # read again unchanged (the catch-up re-reads the last minutes): keep the caches
        self.remove(listing_id)
        self._changed(runs_only=True)
        self.terms[listing_id] = terms
        self.created[listing_id] = created
        if self._by_age is not None:
            bisect.insort(self._by_age, listing_id, key=self._age)
        for term in terms:
            if term not in self.postings:
                self._changed()
            self.postings[term].add(listing_id)

    def remove(self, listing_id: int) -> None:
        if listing_id not in self.terms:
            return
        self._changed(runs_only=True)
        for term in self.terms.pop(listing_id):
            ids = self.postings.get(term)
            if ids is not None:
                ids.discard(listing_id)
                if not ids:
                    del self.postings[term]
                    self._changed()
        if self._by_age is not None:
            at = bisect.bisect_left(self._by_age, self._age(listing_id), key=self._age)
            if at < len(self._by_age) and self._by_age[at] == listing_id:
                del self._by_age[at]
            else:
                self._by_age = None
        self.created.pop(listing_id, None)

    def _changed(self, runs_only: bool = False) -> None:
        """Forget what a change may have made wrong: runs' matches on any change; all (words' too) and the
        vocabulary when a term comes or goes."""
        if not runs_only:
            self._vocab = None
            self._words.clear()
        self._runs.clear()
        self._run_ids = 0

    def _age(self, listing_id: int) -> tuple[float, int]:
        return self.created[listing_id], listing_id

    def __len__(self) -> int:
        return len(self.terms)

    async def refresh(self, session: AsyncSession) -> int:
        """Bring the index up to date with the database; returns how many rows were read."""
        async with self._lock:
            since = None if self.watermark is None else self.watermark - LOOKBACK
            rows = await self.loader(session, since)
            if len(rows) > REBUILD:
                self._by_age = None
            newest = self.watermark
            for listing_id, status, text, category, created_at, updated_at in rows:
                if status == self.live:
                    self.add(listing_id, text, created_at, category)
                else:
                    self.remove(listing_id)
                if newest is None or updated_at > newest:
                    newest = updated_at
            if self.watermark is None and newest is None:
                newest = datetime(1970, 1, 1, tzinfo=UTC)
            self.watermark = newest
            self.newest_first()  # sorted now if it has to be, not in the next search
            return len(rows)

    # --- lookup ----------------------------------------------------------------------------------
    @property
    def vocab(self) -> list[str]:
        if self._vocab is None:
            self._vocab = sorted(t for t in self.postings if not SEARCH_UNSPACED_RE.match(t))
        return self._vocab

    def newest_first(self) -> Iterator[int]:
        if self._by_age is None:
            self._by_age = [i for i, _ in sorted(self.created.items(), key=itemgetter(1, 0))]
        return reversed(self._by_age)

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

    def _word_levels(self, word: str) -> list[Level]:
        """Listings matching a word, by how well, best first (a listing may be in several: its first counts)."""
        matched = sorted(self._word_matches(word).items(), key=lambda kv: -kv[1])
        return [(score, self.postings[term]) for term, score in matched if term in self.postings]

    def _run_levels(self, grams: list[str]) -> list[Level]:
        """Listings containing most trigrams of a Thai/Lao/Khmer/Myanmar run, grouped by the share found."""
        unique = set(grams)
        need = max(1, math.ceil(len(unique) * 0.7 - 1e-9))  # a typo costs up to 3 trigrams of 10
        postings = sorted((self.postings.get(g, EMPTY) for g in unique), key=len)
        # A listing with `need` of the trigrams has one of the len(unique) - need + 1 rarest.
        by_hits: dict[int, IdSet] = {0: set().union(*postings[: len(unique) - need + 1])}
        for done, ids in enumerate(postings, 1):
            counted: dict[int, IdSet] = {}
            for hits, part in by_hits.items():
                inside = part & ids
                if inside:
                    have = counted.get(hits + 1)
                    counted[hits + 1] = inside if have is None else have | inside
                if len(inside) < len(part) and hits + len(unique) - done >= need:  # can still make it
                    outside = part - inside if inside else part
                    have = counted.get(hits)
                    counted[hits] = outside if have is None else have | outside
            by_hits = counted
        return [(100.0 * hits / len(unique), ids) for hits, ids in sorted(by_hits.items(), reverse=True)
                if hits >= need and ids]

    def _term(self, key: tuple[str, ...], find: Callable[[], list[Level]]) -> Matches | None:
        """A query term's matches (``key``: ("w", word) or ("r", its trigrams)), cached."""
        cache = self._words if key[0] == "w" else self._runs
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        levels = find()
        if not levels:
            return None
        found = matches(levels, owned=cache is self._runs)
        if found.size <= CACHE_IDS:
            cache[key] = found
            self._run_ids += found.size
            while cache and (len(cache) > CACHE_TERMS or self._run_ids > CACHE_IDS):
                self._run_ids -= cache.popitem(last=False)[1].size
        return found

    def _newest(self, ids: IdSet, count: int, taken: set[int] | None = None) -> list[int]:
        """The ``count`` newest of ``ids`` not ``taken``: read off the newest-first list when ``ids`` is a
        big share of the index (a few steps per result), else picked from ``ids`` (one step per id)."""
        if len(ids) * len(ids) > 2 * count * len(self.created) and 2 * len(taken or ()) < len(ids):
            found: Iterator[int] = filter(ids.__contains__, self.newest_first())
            if taken:
                found = filterfalse(taken.__contains__, found)
            return list(islice(found, count))
        return heapq.nlargest(count, ids - taken if taken else ids, key=self.created.__getitem__)

    def search(self, query: str, limit: int = 50) -> list[int]:
        """Active listing ids best matching ``query``: listings matching every term first, by score, then the
        best partial matches; newest first among equals."""
        words, runs = split_terms(normalise_search(query))
        found_terms = [self._term(("w", w), partial(self._word_levels, w)) for w in list(dict.fromkeys(words))[:8]]
        found_terms += [self._term(("r", *sorted(set(r))), partial(self._run_levels, r)) for r in runs[:4]]
        terms = [term for term in found_terms if term is not None]
        if not terms or limit <= 0:
            return []
        totals = by_total(matching_all(terms), terms)
        found: list[int] = []
        for total in sorted(totals, reverse=True):
            found += self._newest(totals[total], limit - len(found))
            if len(found) >= limit:
                return found
        taken = set(found)  # then listings matching some of the terms, best match first
        for _score, ids in sorted((level for term in terms for level in term.levels), key=lambda lv: -lv[0]):
            more = self._newest(ids, limit - len(found), taken)
            found += more
            taken.update(more)
            if len(found) >= limit:
                break
        return found
