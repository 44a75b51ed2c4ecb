"""The FAQ matcher (bot/text/faq_index.py): typos, word order, missing words, scripts without spaces,
other languages, none."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.context import Deps
from bot.text.faq_decide import Candidate, MatchConfig, decide
from bot.text.faq_index import FaqIndex, index_for
from content import load_library
from tests.conftest import TEST_CONTENT

ENTRIES = {
    "register-business": {
        "en": ["How do I register my business?", "Where can I get a business licence?"],
        "lo": ["ຂ້ອຍຈະຈົດທະບຽນທຸລະກິດແນວໃດ?", "ຂໍໃບອະນຸຍາດທຸລະກິດຢູ່ໃສ"],
        "th": ["จดทะเบียนธุรกิจยังไง", "ขอใบอนุญาตประกอบธุรกิจได้ที่ไหน"],
        "km": ["តើខ្ញុំចុះបញ្ជីអាជីវកម្មយ៉ាងដូចម្តេច?"],
    },
    "price-handmade": {
        "en": ["How should I price my handmade products?", "how much should I sell my scarf for"],
        "lo": ["ຕັ້ງລາຄາສິນຄ້າຫັດຖະກຳແນວໃດ?"],
        "th": ["ตั้งราคาสินค้าทำมือยังไงดี"],
        "km": ["តើត្រូវកំណត់តម្លៃផលិតផលធ្វើដោយដៃយ៉ាងម៉េច?"],
    },
    "qr-payments": {
        "en": ["How can I accept QR code payments?", "customers want to scan to pay"],
        "id": ["Bagaimana cara menerima pembayaran QRIS?", "bikin kode QR untuk terima uang di toko"],
    },
    "ship-abroad": {
        "en": ["How do I send a parcel to another country?", "shipping my products abroad"],
    },
    "protect-designs": {
        "en": ["How can I protect my traditional designs from copying?", "someone copied my pattern"],
    },
}


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex.from_phrasings(ENTRIES.items())


@pytest.mark.parametrize("question", [
    "how do i regster my busness",  # typos
    "my business, how do I register it",  # word order
    "register business",  # missing words
    "HOW DO I REGISTER MY BUSINESS???",
])
def test_english_variants_answer(index: FaqIndex, question: str) -> None:
    match = index.match(question)
    assert match.outcome == "answer", match
    assert match.best is not None and match.best.entry_id == "register-business"


@pytest.mark.parametrize(("question", "expected"), [
    ("ຈົດທະບຽນທຸລະກິດແນວໃດ", "register-business"),  # Lao, no spaces, words missing
    ("ຕັ້ງລາຄາສິນຄ້າແນວໃດ", "price-handmade"),
    ("อยากจดทะเบียนธุรกิจต้องทำยังไง", "register-business"),  # Thai, extra words
    ("ตั้งราคาสินค้ายังไง", "price-handmade"),
    ("ចុះបញ្ជីអាជីវកម្មយ៉ាងម៉េច", "register-business"),  # Khmer
    ("កំណត់តម្លៃផលិតផលយ៉ាងម៉េច", "price-handmade"),
])
def test_scripts_without_spaces(index: FaqIndex, question: str, expected: str) -> None:
    found = index.search(question)
    assert found and found[0].entry_id == expected, found
    assert index.match(question).outcome == "answer"
    assert found[0].language in {"lo", "th", "km"}


def test_thai_tone_mark_typo_still_matches(index: FaqIndex) -> None:
    found = index.search("จดทะเบียนธุรกิจยงไง")  # a vowel mark left out
    assert found[0].entry_id == "register-business"


def test_cross_language_malay_finds_indonesian(index: FaqIndex) -> None:
    # No Malay phrasings at all: the Indonesian ones match, and the candidate says which language.
    found = index.search("macam mana nak terima bayaran kod QR di kedai")
    assert found[0].entry_id == "qr-payments"
    assert found[0].language == "id"


def test_unrelated_question_is_not_answered(index: FaqIndex) -> None:
    for question in ("what will the weather be tomorrow", "who won the football", "ฝนจะตกพรุ่งนี้ไหม"):
        match = index.match(question)
        assert match.outcome == "none", (question, match)


def test_index_is_built_once_per_library() -> None:
    from bot.config import Settings

    library, problems = load_library(TEST_CONTENT)
    assert not problems
    deps = Deps(Settings(content_dir=TEST_CONTENT), library)
    first = index_for(deps)
    assert index_for(deps) is first
    deps.library, _ = load_library(TEST_CONTENT)  # a reloaded library gets a new index
    assert index_for(deps) is not first


def test_large_library_stays_fast() -> None:
    # 2,000 perturbed copies of the entries (the bench measures 10,000).
    entries = [
        (f"{entry_id}-{copy}", {lang: [f"{p} {copy}" for p in phrasings] for lang, phrasings in questions.items()})
        for copy in range(400)
        for entry_id, questions in ENTRIES.items()
    ]
    big = FaqIndex.from_phrasings(entries)
    started = time.perf_counter()
    for _ in range(10):
        found = big.search("how do i regster my busness")
    elapsed = (time.perf_counter() - started) / 10
    assert found[0].entry_id.startswith("register-business")
    assert elapsed < 0.5


def test_coverage_tells_a_partial_match_from_a_typo() -> None:
    index = FaqIndex.from_phrasings(ENTRIES.items())
    typo = index.search("how do i regster my busness")[0]
    off_topic = index.search("how do i register to vote")[0]  # "vote" is in no entry
    assert typo.entry_id == off_topic.entry_id == "register-business"
    assert off_topic.coverage < 0.45 < typo.coverage
    strict = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(answer_coverage=0.45))
    assert strict.match("how do i regster my busness").outcome == "answer"
    assert strict.match("how do i register to vote").outcome != "answer"
    # Below the offer coverage an entry is not even suggested.
    shy = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(grey_coverage=0.45))
    assert shy.match("how do i register to vote").outcome == "none"


def test_pooled_phrasings_match_words_spread_over_several_phrasings() -> None:
    # "scan" is in one phrasing, "QR" in another: the entry's pooled phrasings hold both.
    index = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(centroid_weight=0.6))
    plain = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(centroid_weight=0.0))
    question = "customers scan qr code"
    assert index.search(question)[0].entry_id == "qr-payments"
    assert index.search(question)[0].score > plain.search(question)[0].score


def test_unspaced_scale_lifts_scripts_without_spaces_only() -> None:
    plain = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(unspaced_scale=1.0))
    scaled = FaqIndex.from_phrasings(ENTRIES.items(), MatchConfig(unspaced_scale=2.0))
    thai = "ตั้งราคาสินค้ายังไง"
    assert scaled.search(thai)[0].score == pytest.approx(2 * plain.search(thai)[0].score, rel=1e-3)
    english = "how do i regster my busness"
    assert scaled.search(english)[0].score == plain.search(english)[0].score


OUT_OF_SCOPE = {
    "oos-vehicle-registration": {
        "en": ["how do I register my motorbike", "renew the registration of my car"],
        "lo": ["ຈົດທະບຽນລົດຈັກແນວໃດ"],
    },
}


def test_out_of_scope_example_first_means_no_answer_and_is_never_offered() -> None:
    plain = FaqIndex.from_phrasings(ENTRIES.items())
    index = FaqIndex.from_phrasings([*ENTRIES.items(), *OUT_OF_SCOPE.items()])
    index.out_of_scope = frozenset(OUT_OF_SCOPE)
    question = "where do i register my motorbike"
    assert plain.match(question).best.entry_id == "register-business"  # type: ignore[union-attr]
    assert plain.match(question).outcome == "answer"  # without the example: a wrong answer
    assert plain.match("ຈົດທະບຽນລົດຈັກແນວໃດ").outcome == "answer"
    found = index.search(question)
    assert found[0].entry_id == "oos-vehicle-registration" and not found[0].in_scope
    match = index.match(question)
    assert match.outcome == "none"
    assert all(c.in_scope for c in match.candidates)  # kept as nearest misses, never the example
    assert index.match("ຈົດທະບຽນລົດຈັກແນວໃດ").outcome == "none"
    # Real questions still answer.
    assert index.match("how do i regster my busness").outcome == "answer"
    assert index.match("ຂ້ອຍຈະຈົດທະບຽນທຸລະກິດແນວໃດ").best.entry_id == "register-business"  # type: ignore[union-attr]


def test_out_of_scope_runner_up_narrows_the_margin_and_is_not_a_choice() -> None:
    cfg = MatchConfig(answer_at=0.1, grey_at=0.1, margin=0.0, relative_margin=0.25, out_of_scope_weight=1.0)
    close = [Candidate("a", 0.2, "en", "A?"), Candidate("oos-x", 0.17, "en", "X?", in_scope=False),
             Candidate("b", 0.16, "en", "B?")]
    match = decide(close, cfg)
    assert match.outcome == "choices"
    assert [c.entry_id for c in match.candidates] == ["a", "b"]
    assert decide([Candidate("oos-x", 0.5, "en", "X?", in_scope=False), *close], cfg).outcome == "none"
    # The weight scales the examples only.
    heavy = replace(cfg, out_of_scope_weight=0.5)
    index = FaqIndex.from_phrasings([*ENTRIES.items(), *OUT_OF_SCOPE.items()], heavy)
    index.out_of_scope = frozenset(OUT_OF_SCOPE)
    light = FaqIndex.from_phrasings([*ENTRIES.items(), *OUT_OF_SCOPE.items()], cfg)
    light.out_of_scope = frozenset(OUT_OF_SCOPE)
    question = "register my motorbike"
    by_id = {c.entry_id: c.score for c in index.search(question)}
    same = {c.entry_id: c.score for c in light.search(question)}
    assert by_id["oos-vehicle-registration"] == pytest.approx(same["oos-vehicle-registration"] / 2, rel=1e-3)
    assert by_id["register-business"] == same["register-business"]


def test_library_keeps_out_of_scope_examples_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = tmp_path / "content"
    shutil.copytree(TEST_CONTENT, root)
    (root / "faq" / "out-of-scope.yaml").write_text(
        "- id: oos-gold\n  topic: out-of-scope\n  questions:\n    en: [gold price today, how much is gold]\n"
        "- id: oos-bad\n  topic: out-of-scope\n  questions:\n    en: [weather]\n  answer:\n    en: Sunny.\n"
        "- id: change-language\n  topic: out-of-scope\n  questions:\n    en: [anything]\n",
        encoding="utf-8")
    library, problems = load_library(root)
    assert "oos-gold" in library.out_of_scope and "oos-gold" not in library.faq
    assert not library.out_of_scope["oos-gold"].answer
    messages = [str(p) for p in problems]
    assert any("out-of-scope.yaml:9: FAQ 'oos-bad' is out of scope: it has no answer" in m for m in messages)
    assert any("FAQ id 'change-language' is used twice" in m for m in messages)
    index = FaqIndex.for_library(library)
    assert index.out_of_scope == frozenset({"oos-gold", "oos-bad"})
    assert index.match("gold price today?").outcome == "none"
