"""``SearchIndex.search`` ranks exactly as the plain definition does (score every listing, sort), also after
listings change between searches (its per-term cache and newest-first list must follow), on both of its
ways of picking the newest of a set (big sets: walk the newest-first list; small: pick from the set)."""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.text.features import split_terms
from bot.text.normalise import normalise_search
from handlers.market.search import SearchIndex

WORDS = ["silk", "scarf", "cotton", "basket", "bamboo", "teapot", "silver", "lantern", "woven", "handmade",
         "ceramic", "indigo", "lụa", "khăn", "batik", "rotan"]
THAI = ["ผ้าไหม", "ผ้าฝ้าย", "ตะกร้า", "มัดหมี่", "ทอมือ", "ไม้ไผ่"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def plain_search(index: SearchIndex, query: str, limit: int) -> list[int]:
    """The ranking by its definition: a table of scores per term, sorted (the index before #19's speed-up)."""
    words, runs = split_terms(normalise_search(query))
    terms: list[list[tuple[float, set[int]]]] = []
    for word in list(dict.fromkeys(words))[:8]:
        seen: set[int] = set()
        levels = []
        for term, score in sorted(index._word_matches(word).items(), key=lambda kv: -kv[1]):
            new = index.postings.get(term, set()) - seen
            if new:
                levels.append((score, new))
                seen |= new
        terms.append(levels)
    for grams in runs[:4]:
        unique = set(grams)
        counts = Counter(i for g in unique for i in index.postings.get(g, ()))
        need = max(1, math.ceil(len(unique) * 0.7 - 1e-9))
        hits = sorted({n for n in counts.values() if n >= need}, reverse=True)
        terms.append([(100.0 * n / len(unique), {i for i, c in counts.items() if c == n}) for n in hits])
    terms = [levels for levels in terms if levels]
    if not terms:
        return []
    tables = [{i: score for score, ids in levels for i in ids} for levels in terms]
    full = set(tables[0]).intersection(*tables)
    found = heapq.nlargest(limit, full, key=lambda i: (sum(t[i] for t in tables), index.created[i]))
    taken = set(found)
    for _score, ids in sorted((lv for levels in terms for lv in levels), key=lambda lv: -lv[0]):
        more = heapq.nlargest(limit - len(found), ids - taken, key=index.created.__getitem__)
        found += more
        taken.update(more)
    return found[:limit]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def listing_text(rng: random.Random) -> str:
    return normalise_search(" ".join(rng.sample(WORDS, 3)) + " " + "".join(rng.sample(THAI, 2)))


def queries(rng: random.Random) -> list[str]:
    found = ["silk", "sil", "lua khan", "ผ้าไหม", "cotton ตะกร้า", "mat", "zzzz", "", "handmaed basket",
             "ผ้าไหมมัดหมี่ ทอมือ", "woven woven silk", "newword"]
    for _ in range(40):
        words = rng.sample(WORDS, rng.randint(1, 3))
        found.append(" ".join(typo(w, rng) if rng.random() < 0.4 else w for w in words))
        found.append(rng.choice(THAI) + rng.choice(THAI)[:-1])
    return found


def test_search_ranks_as_defined_also_after_changes() -> None:
    rng = random.Random(7)
    index = SearchIndex()
    minutes = rng.sample(range(100_000), 2000)  # no two listings created at the same moment
    saved: dict[int, tuple[str, str | None]] = {}

    def save(listing_id: int, text: str, category: str | None) -> None:
        saved[listing_id] = text, category
        index.add(listing_id, text, START + timedelta(minutes=minutes.pop()), category)

    for listing_id in range(1, 601):
        save(listing_id, listing_text(rng), rng.choice(["weaving", "ceramics", None]))
    asked = queries(rng)
    for change in ("none", "remove", "edit", "reread", "new", "remove"):  # one kind at a time: each must tell
        picked = rng.sample(sorted(index.terms), 60)
        if change == "remove":
            for listing_id in picked:
                index.remove(listing_id)
        elif change == "edit":
            for listing_id in picked:
                save(listing_id, listing_text(rng) + rng.choice(["", " newword"]), None)
        elif change == "reread":  # as the catch-up reads the last minutes again: nothing changes
            for listing_id in picked:
                created = datetime.fromtimestamp(index.created[listing_id], UTC)
                index.add(listing_id, saved[listing_id][0], created, saved[listing_id][1])
        elif change == "new":
            for listing_id in range(1000, 1050):
                save(listing_id, listing_text(rng), None)
        for query in asked:
            for limit in (1, 5, 60, 700):
                assert index.search(query, limit) == plain_search(index, query, limit), (change, query, limit)

def test_word_matches_are_kept_until_the_vocabulary_changes() -> None:
    index = SearchIndex()
    index.add(1, normalise_search("silk scarf"), START)
    assert index.search("silk") == [1]
    cached = dict(index._words)
    index.add(1, normalise_search("silk scarf"), START)  # as the catch-up re-reads the last minutes
    index.add(2, normalise_search("silk"), START + timedelta(minutes=1))  # known words only: kept
    assert dict(index._words) == cached and index.search("silk") == [2, 1]
    index.add(3, normalise_search("silk bag"), START + timedelta(minutes=2))  # a new word: forgotten
    assert not index._words and index.search("silk") == [3, 2, 1]
    index.remove(3)
    assert index.search("silk") == [2, 1] and index.search("bag") == []
