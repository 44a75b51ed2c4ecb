"""Marketplace search speed on 50,000 listings: our index (rapidfuzz) vs a plain SQL ``LIKE`` search.

Run from the repository root: ``.venv/bin/python bench/search.py [--listings 50000] [--queries 300] [--out FILE]``
(the table goes to stdout; ``--out FILE`` also writes it to FILE). ``--cold`` looks every query up without
the index's per-term cache; ``--save-answers FILE`` / ``--check-answers FILE`` keep the index's result
lists and compare a later run (another version of the index) with them: a speed-up must not change them.

Builds a fresh SQLite database (the real migrations) in a temporary folder, fills it with generated
listings in eight languages, then runs the same queries (about half with typos, some in Thai/Lao without
spaces, some mixed-language) through:

- ``index``: ``SearchIndex.refresh`` (the per-query catch-up with the database) + ``SearchIndex.search``;
- ``like``: ``SELECT ... WHERE status='active' AND text LIKE '%w1%' AND text LIKE '%w2%' ... ORDER BY
  created_at DESC LIMIT 60`` over name, description and category.

"found" is the share of queries where one of the first three results contains every word the user
meant (before the typo) in its name, description or category name (in any language), so a fast search
that finds nothing does not look good.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from bot.i18n import LANGUAGES, translator
from bot.text.normalise import normalise_search
from handlers.choices import CRAFTS
from handlers.market import search as search_module
from handlers.market.common import search_text
from handlers.market.search import SearchIndex
from storage.db import Database, normalise_database_url
from storage.market import Listing, ListingStatus
from storage.models import User

# (products, materials, qualities, places) per language; names are built from them.
VOCAB: dict[str, dict[str, list[str]]] = {
    "en": {
        "product": ["scarf", "shawl", "basket", "teapot", "bowl", "vase", "necklace", "bracelet", "earrings",
                    "mask", "drum", "fan", "lantern", "sarong", "bag", "table runner", "cushion cover", "mat",
                    "statue", "box", "spoon set", "painting", "umbrella", "hat", "puppet", "kite", "cup", "plate"],
        "material": ["silk", "cotton", "bamboo", "rattan", "teak", "clay", "silver", "bronze", "mulberry paper",
                     "indigo", "hemp", "coconut shell", "lacquer", "banana fibre", "brass", "jade"],
        "quality": ["hand-woven", "handmade", "natural dye", "traditional", "vintage style", "hand-painted",
                    "carved", "embroidered", "fair trade", "small batch", "organic", "heritage"],
    },
    "vi": {
        "product": ["khăn", "túi", "bình", "bát", "đèn lồng", "nón lá", "tranh", "vòng tay", "hộp", "chiếu"],
        "material": ["lụa", "thổ cẩm", "tre", "gốm", "bạc", "sơn mài", "giấy dó", "mây"],
        "quality": ["dệt tay", "thủ công", "truyền thống", "nhuộm chàm", "vẽ tay"],
    },
    "id": {
        "product": ["kain", "tas", "selendang", "topeng", "keranjang", "gelang", "kalung", "wayang", "piring"],
        "material": ["batik", "tenun ikat", "songket", "rotan", "perak", "kayu jati", "bambu", "tanah liat"],
        "quality": ["tulis", "tenun tangan", "buatan tangan", "pewarna alami", "tradisional"],
    },
    "fil": {
        "product": ["banig", "bayong", "kumot", "basket", "kuwintas", "tela"],
        "material": ["piña", "abaca", "buri", "inabel", "t'nalak", "kawayan"],
        "quality": ["hinabi sa kamay", "gawang kamay", "katutubo"],
    },
    "th": {
        "product": ["ผ้าพันคอ", "ผ้าซิ่น", "กระเป๋า", "ตะกร้า", "แจกัน", "ถ้วยชา", "สร้อยคอ", "ร่ม"],
        "material": ["ผ้าไหม", "ผ้าฝ้าย", "ไม้สัก", "เครื่องปั้นดินเผา", "เงิน", "ไม้ไผ่", "เบญจรงค์"],
        "quality": ["มัดหมี่", "ทอมือ", "ย้อมคราม", "งานฝีมือ", "โบราณ"],
    },
    "lo": {
        "product": ["ຜ້າພັນຄໍ", "ຜ້າສິ້ນ", "ກະຕ່າ", "ຖົງ", "ໝໍ້", "ສາຍຄໍ"],
        "material": ["ຜ້າໄໝ", "ຜ້າຝ້າຍ", "ໄມ້ໄຜ່", "ເງິນ", "ດິນເຜົາ"],
        "quality": ["ທໍດ້ວຍມື", "ມັດໝີ່", "ພື້ນເມືອງ"],
    },
    "km": {
        "product": ["ក្រមា", "សំពត់", "កន្ត្រក", "កាបូប", "ចាន"],
        "material": ["សូត្រ", "កប្បាស", "ឫស្សី", "ប្រាក់", "ដីឥដ្ឋ"],
        "quality": ["ត្បាញដៃ", "ហូល", "បុរាណ"],
    },
    "ms": {
        "product": ["kain", "tudung", "bakul", "pinggan", "gelang"],
        "material": ["songket", "batik", "mengkuang", "pewter", "rotan"],
        "quality": ["tenunan tangan", "buatan tangan", "warisan"],
    },
}
PLACES = ["Luang Prabang", "Vientiane", "Siem Reap", "Phnom Penh", "Hoi An", "Hanoi", "Chiang Mai", "Surin",
          "Yogyakarta", "Bali", "Kelantan", "Terengganu", "Vigan", "Iloilo", "Mandalay", "Bandar Seri Begawan"]
CATEGORIES = ["weaving", "ceramics", "wood", "metal", "paper", "music", "food", "other"]
SPACED = {"en", "vi", "id", "fil", "ms"}


def make_listing(rng: random.Random) -> tuple[str, str, str, str]:
    lang = rng.choices(list(VOCAB), weights=[5, 2, 2, 1, 2, 1, 1, 1])[0]
    v = VOCAB[lang]
    sep = " " if lang in SPACED else ""
    quality, material, product = rng.choice(v["quality"]), rng.choice(v["material"]), rng.choice(v["product"])
    if lang == "en":
        name = f"{quality} {material} {product}".capitalize()
    elif lang in SPACED:
        name = f"{product} {material} {quality}".capitalize()
    else:
        name = f"{material}{product}{quality}"
    place = rng.choice(PLACES)
    extra = sep.join(rng.choice(v[k]) for k in ("quality", "material", "product", "quality"))
    en = VOCAB["en"]
    description = (f"{name}. {extra}. Made in {place} by a family workshop; "
                   f"{rng.choice(en['quality'])} {rng.choice(en['material'])}, {rng.randint(10, 200)} cm. "
                   f"Ships in {rng.randint(1, 7)} days.")
    return name, description, rng.choice(CATEGORIES), place


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isascii():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(["swap", "drop", "replace", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "replace":
        return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def make_queries(rng: random.Random, n: int) -> list[tuple[str, list[str], str]]:
    """(query as typed, words meant, kind)."""
    queries: list[tuple[str, list[str], str]] = []
    while len(queries) < n:
        lang = rng.choice(list(VOCAB))
        v = VOCAB[lang]
        if lang in SPACED:
            words = [rng.choice(v["material"]).split()[0], rng.choice(v["product"]).split()[0]]
            if rng.random() < 0.5:
                typed = [typo(w, rng) for w in words]
                kind = "typo" if typed != words else "exact"
            else:
                typed, kind = words, "exact"
            queries.append((" ".join(typed), words, kind))
        else:
            material = rng.choice(v["material"])
            if rng.random() < 0.5:
                en_word = rng.choice(["silk", "cotton", "bamboo", "silver"])
                queries.append((f"{en_word} {material}", [material], "mixed"))
            else:
                queries.append((material, [material], "unspaced"))
    return queries


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def fresh_postgres(url: str) -> None:
    """Create the bench database if missing and empty it (never point this at a database you need)."""
    import asyncpg

    base, _, name = url.replace("postgresql+asyncpg://", "postgresql://").rpartition("/")
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(f"{base}/{name}")
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def run(args: argparse.Namespace, postgres: str | None = None) -> tuple[str, list[list[int]]]:
    """The report, and the index's answer to each query."""
    rng = random.Random(42)
    if args.cold:
        search_module.CACHE_IDS = -1  # nothing fits: every term is matched afresh

    with tempfile.TemporaryDirectory() as tmp:
        if postgres:
            await fresh_postgres(postgres)
        db = Database(normalise_database_url(postgres) if postgres else f"sqlite+aiosqlite:///{tmp}/bench.db")
        await db.upgrade()
        start = datetime(2026, 1, 1, tzinfo=UTC)
        t0 = time.perf_counter()
        async with db.transaction() as session:
            seller = User(name="Seller", step_data={}, menu=[], profile={})
            session.add(seller)
            await session.flush()
            seller_id = seller.id
        rows: list[dict[str, Any]] = []
        for i in range(args.listings):
            name, description, category, place = make_listing(rng)
            moment = start + timedelta(minutes=i)
            rows.append({"seller_id": seller_id, "name": name[:100], "description": description, "price": "150000",
                         "currency": "LAK", "category": category, "country": "LA", "province": place,
                         "province_key": normalise_search(place), "location": place, "contact": "relay", "photos": [],
                         "status": ListingStatus.ACTIVE, "search_text": search_text(name, description, place),
                         "created_at": moment, "updated_at": moment, "approved_at": moment,
                         "expires_at": moment + timedelta(days=60)})
        for i in range(0, len(rows), 5000):
            async with db.transaction() as session:
                await session.execute(insert(Listing), rows[i : i + 5000])
        if postgres:  # as autovacuum would have by now: without statistics the planner scans every listing
            async with db.transaction() as session:
                await session.execute(text("ANALYZE market_listings"))
        fill = time.perf_counter() - t0

        index = SearchIndex()
        t0 = time.perf_counter()
        async with db.read() as session:
            await index.refresh(session)
        build = time.perf_counter() - t0

        queries = make_queries(rng, args.queries)
        names = {c: " ".join(translator(lang).gettext(CRAFTS[c]) for lang in LANGUAGES) for c in CATEGORIES}
        texts = {r["name"]: normalise_search(f"{r['name']} {r['description']} {names[r['category']]}") for r in rows}
        by_id: dict[int, str] = {}
        async with db.read() as session:
            for listing_id, name in (await session.execute(text("SELECT id, name FROM market_listings"))).all():
                by_id[listing_id] = texts[name]

        def found(ids: list[int], meant: list[str]) -> bool:
            wanted = [normalise_search(w) for w in meant]
            return any(all(w in by_id.get(i, "") for w in wanted) for i in ids[:3])

        results: dict[str, dict[str, list[float]]] = {"index": {}, "like": {}}
        phases: dict[str, list[float]] = {"refresh": [], "search": []}
        hits: dict[str, dict[str, list[bool]]] = {"index": {}, "like": {}}
        answers: list[list[int]] = []
        for query, meant, kind in queries:
            async with db.read() as session:
                t0 = time.perf_counter()
                await index.refresh(session)
                t1 = time.perf_counter()
                ids = index.search(query, limit=60)
                t2 = time.perf_counter()
                answers.append(ids)
                results["index"].setdefault(kind, []).append((t2 - t0) * 1000)
                phases["refresh"].append((t1 - t0) * 1000)
                phases["search"].append((t2 - t1) * 1000)
                hits["index"].setdefault(kind, []).append(found(ids, meant))

                words = query.split()
                like = "ILIKE" if postgres else "LIKE"
                where = " AND ".join(f"(name || ' ' || description || ' ' || category) {like} :w{i}"
                                     for i in range(len(words)))
                sql = text(f"SELECT id FROM market_listings WHERE status = 'active' AND {where} "
                           "ORDER BY created_at DESC LIMIT 60")
                t0 = time.perf_counter()
                like_ids = [r[0] for r in (await session.execute(sql, {f"w{i}": f"%{w}%"
                                                                        for i, w in enumerate(words)})).all()]
                results["like"].setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
                hits["like"].setdefault(kind, []).append(found(like_ids, meant))
        await db.close()

    kinds = ["exact", "typo", "unspaced", "mixed"]
    mix = ", ".join(f"{k} {len(results['index'].get(k, []))}" for k in kinds)
    lines = [
        f"Search benchmark: {args.listings:,} listings, {len(queries)} queries ({mix}), "
        f"{'PostgreSQL' if postgres else 'SQLite'}, one process{', no per-term cache' if args.cold else ''}.",
        f"Fill {fill:.1f} s; index build from the database {build:.2f} s (once per process). Index time per "
        f"query: catch-up p50 {statistics.median(phases['refresh']):.2f} ms, p99 {pct(phases['refresh'], 99):.2f}; "
        f"lookup p50 {statistics.median(phases['search']):.2f} ms, p99 {pct(phases['search'], 99):.2f}.",
        "",
        "| search | queries | p50 ms | p99 ms | found in top 3 |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for engine in ("index", "like"):
        label = "rapidfuzz index (ours)" if engine == "index" else "SQL LIKE"
        every = [x for k in kinds for x in results[engine].get(k, [])]
        ok = [x for k in kinds for x in hits[engine].get(k, [])]
        lines.append(f"| {label} | all | {statistics.median(every):.2f} | {pct(every, 99):.2f} | "
                     f"{100 * sum(ok) / len(ok):.0f}% |")
        for k in kinds:
            if results[engine].get(k):
                lines.append(f"| {label} | {k} | {statistics.median(results[engine][k]):.2f} | "
                             f"{pct(results[engine][k], 99):.2f} | "
                             f"{100 * sum(hits[engine][k]) / len(hits[engine][k]):.0f}% |")
    lines += ["", "Index times include the per-query catch-up query on `updated_at` (changes since the last "
              "search). Run: `.venv/bin/python bench/search.py`."]
    return "\n".join(lines), answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listings", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--postgres", default=None, metavar="URL",
                        help="also run on this PostgreSQL database, emptied first (e.g. "
                             "postgresql://postgres@127.0.0.1:5432/bench_search)")
    parser.add_argument("--only-postgres", action="store_true", help="skip the SQLite run")
    parser.add_argument("--cold", action="store_true", help="no per-term cache: each lookup as the first")
    parser.add_argument("--save-answers", metavar="FILE", help="write the index's result lists (JSON)")
    parser.add_argument("--check-answers", metavar="FILE", help="compare the result lists with a saved run")
    args = parser.parse_args()
    runs = [] if args.only_postgres else [asyncio.run(run(args))]
    if args.postgres:
        runs.append(asyncio.run(run(args, args.postgres)))
    report = "\n\n".join(text for text, _ in runs)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n")
    answers = [ids for _, found in runs for ids in found]
    if args.save_answers:
        Path(args.save_answers).write_text(json.dumps(answers))
    if args.check_answers:
        saved = json.loads(Path(args.check_answers).read_text())
        differ = [n for n, (a, b) in enumerate(zip(saved, answers, strict=True)) if a != b]
        print(f"\nAnswers: {len(answers) - len(differ)} of {len(answers)} the same as in {args.check_answers}.")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
