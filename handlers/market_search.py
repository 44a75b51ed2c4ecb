"""Marketplace search: typo-tolerant, mixed-language, in memory, kept in step with the database.

Text is normalised once when a listing is saved (``search_text``: NFC, casefolded, Latin accents
dropped so "lua" finds "lụa") and split into terms: words for scripts written with spaces, character
trigrams for Thai, Lao, Khmer and Myanmar, which are written without spaces between words.

``SearchIndex`` holds an inverted index term → listing ids of active listings. A query word is looked up
exactly, as a prefix, and with rapidfuzz (``fuzz.ratio``) against the vocabulary of distinct words (a
few thousand entries, not 50,000 documents); a run of Thai/Lao/Khmer/Myanmar text scores by the share
of its trigrams a listing contains. Listings score the sum of their best match per query term; ties go
to the newest. Each process keeps its own index and brings it up to date before every search with one
indexed query for listings changed since the last look (``updated_at``), so several workers agree.
"""

from __future__ import annotations

import asyncio
import bisect
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.market import Listing, ListingStatus

NO_SPACE_SCRIPTS = ((0x0E00, 0x0E7F), (0x0E80, 0x0EFF), (0x1780, 0x17FF), (0x19E0, 0x19FF), (0x1000, 0x109F))
LOOKBACK = timedelta(minutes=5)  # re-read recent changes: a slow transaction may commit after our look
GRAM = 3


def _no_space(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in NO_SPACE_SCRIPTS)


def normalise(text: str) -> str:
    """NFC, casefolded, accents dropped from Latin letters (not the vowel marks of Thai or Lao)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    kept: list[str] = []
    previous_latin = False
    for ch in decomposed:
        if unicodedata.combining(ch) and previous_latin:
            continue
        kept.append(ch)
        if not unicodedata.combining(ch):
            previous_latin = ch.isascii() and ch.isalpha()
    folded = unicodedata.normalize("NFC", "".join(kept))
    cleaned = "".join(ch if ch.isalnum() or unicodedata.combining(ch) else " " for ch in folded)
    return " ".join(cleaned.split())


def split_terms(normalised: str) -> tuple[list[str], list[list[str]]]:
    """Words of spaced scripts, and per run of unspaced script its trigrams (the run itself if shorter)."""
    words: list[str] = []
    runs: list[list[str]] = []
    for chunk in normalised.split():
        current: list[str] = []
        current_no_space: bool | None = None
        pieces: list[tuple[bool, str]] = []
        for ch in chunk:
            ns = _no_space(ch)
            if current and ns != current_no_space:
                pieces.append((bool(current_no_space), "".join(current)))
                current = []
            current.append(ch)
            current_no_space = ns
        if current:
            pieces.append((bool(current_no_space), "".join(current)))
        for no_space, piece in pieces:
            if no_space:
                grams = [piece[i : i + GRAM] for i in range(len(piece) - GRAM + 1)] or [piece]
                runs.append(grams)
            elif len(piece) >= 2 or piece.isdigit():
                words.append(piece)
    return words, runs


def terms_of(normalised: str) -> set[str]:
    words, runs = split_terms(normalised)
    return set(words) | {g for run in runs for g in run}


@dataclass
class SearchIndex:
    postings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[int, set[str]] = field(default_factory=dict)
    created: dict[int, float] = field(default_factory=dict)
    watermark: datetime | None = None
    _vocab: list[str] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- maintenance -----------------------------------------------------------------------------
    def add(self, listing_id: int, search_text: str, created_at: datetime) -> None:
        self.remove(listing_id)
        terms = terms_of(search_text)
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
            query = select(Listing.id, Listing.status, Listing.search_text, Listing.created_at, Listing.updated_at)
            if self.watermark is None:
                query = query.where(Listing.status == ListingStatus.ACTIVE)
            else:
                query = query.where(Listing.updated_at >= self.watermark - LOOKBACK)
            rows = (await session.execute(query)).all()
            newest = self.watermark
            for listing_id, status, text, created_at, updated_at in rows:
                if status == ListingStatus.ACTIVE:
                    self.add(listing_id, text, created_at)
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
            self._vocab = sorted(t for t in self.postings if not any(_no_space(c) for c in t[:1]))
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
            for term, score, _ in process.extract(word, vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=50):
                if abs(len(term) - len(word)) <= 3:
                    found[term] = max(found.get(term, 0.0), float(score))
        return found

    def search(self, query: str, limit: int = 50) -> list[int]:
        """Active listing ids best matching ``query``, best first (newest first among equals)."""
        words, runs = split_terms(normalise(query))
        if not words and not runs:
            return []
        totals: dict[int, float] = defaultdict(float)
        for word in dict.fromkeys(words):
            best: dict[int, float] = {}
            for term, score in self._word_matches(word).items():
                for listing_id in self.postings.get(term, ()):
                    if score > best.get(listing_id, 0.0):
                        best[listing_id] = score
            for listing_id, score in best.items():
                totals[listing_id] += score
        for grams in runs:
            unique = set(grams)
            counts: dict[int, int] = defaultdict(int)
            for gram in unique:
                for listing_id in self.postings.get(gram, ()):
                    counts[listing_id] += 1
            need = max(1, int(len(unique) * 0.6 + 0.5))
            for listing_id, hits in counts.items():
                if hits >= need:
                    totals[listing_id] += 100.0 * hits / len(unique)
        if not totals:
            return []
        top = max(totals.values())
        keep = [(score, self.created.get(i, 0.0), i) for i, score in totals.items() if score >= top * 0.5]
        keep.sort(reverse=True)
        return [i for _, _, i in keep[:limit]]
