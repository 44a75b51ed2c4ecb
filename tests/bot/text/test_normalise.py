"""Character-level normalisation (bot/text/normalise.py) and the search terms and close words built on
it (bot/text/features.py): the FAQ form, the search form, syllable clusters."""

from __future__ import annotations

import pytest

from bot.text.features import analyse, close_words, split_terms, terms_of
from bot.text.normalise import clusters, fold_confusables, is_unspaced, normalise, normalise_search


def test_normalise_folds_case_punctuation_and_zero_width_space() -> None:
    assert normalise("  How  do I\u200bREGISTER?! ") == "how do i register"
    # Vietnamese typed without accents meets the accented phrasing.
    assert analyse("Làm sao để đăng ký").words == analyse("lam sao de dang ky").words


def test_lao_ligatures_and_repeated_letters_normalise() -> None:
    # ໜ/ໝ are typed both as one letter and as ຫ + ນ/ມ; a letter held down is one letter.
    assert normalise("ໝໍ້ດິນ ໜ້າ") == normalise("ຫມໍ້ດິນ ຫນ້າ")
    assert normalise("แพงมากกกก") == normalise("แพงมาก")
    assert normalise("ឲ្យ") == normalise("ឱ្យ")  # Khmer: the deprecated letter and its replacement


def test_clusters_keep_marks_and_stacked_consonants_with_their_letter() -> None:
    assert clusters("ກູ້ເງິນ") == ["ກູ້", "ເງິ", "ນ"]  # a leading vowel goes with the letter after it
    assert clusters("ពាណិជ្ជកម្ម") == ["ពា", "ណិ", "ជ្ជ", "ក", "ម្ម"]  # coeng stacks the next consonant
    assert "".join(clusters("ตั้งราคา")) == "ตั้งราคา"


def test_search_form_drops_latin_accents_only() -> None:
    assert normalise_search("Khăn LỤA  Hội-An!") == "khan lua hoi an"
    assert normalise_search("Đồ gốm_Bát Tràng") == "do gom bat trang"
    # Thai and Lao keep their vowel and tone marks; Vietnamese typed without accents meets the accented.
    assert normalise_search("ผ้าไหม ທໍດ້ວຍມື") == "ผ้าไหม ທໍດ້ວຍມື"
    assert normalise_search("lụa") == normalise_search("lua")


def test_search_terms_are_words_and_trigrams_of_unspaced_runs() -> None:
    words, runs = split_terms(normalise_search("Silk ผ้าไหม scarf a 5"))
    assert words == ["silk", "scarf", "5"]  # one-letter words dropped, digits kept
    assert runs == [["ผ้า", "้าไ", "าไห", "ไหม"]]
    assert terms_of("ກະ") == {"ກະ"}  # a run shorter than a trigram is its own term
    assert is_unspaced("ก") and is_unspaced("\ua9e0") and not is_unspaced("a")


def test_close_words_tolerate_typos() -> None:
    vocab = ["ceramic", "cotton", "carpet", "basket"]
    assert close_words("cottn", vocab, 72.0, limit=50)[0][0] == "cotton"
    assert close_words("cottn", vocab, 72.0, limit=1) == close_words("cottn", vocab, 72.0, limit=50)[:1]
    assert close_words("zzzz", vocab, 72.0, limit=5) == []
    assert analyse("cottn").words == ("cottn",)


# Spellings that look the same on screen (or that keyboards type in either order): each pair must meet in
# both forms (search and FAQ). (typed one way, typed the other way, what it is)
CONFUSABLE = [
    ("ផ្តិល", "ផ្ដិល", "Khmer subscript TA ្ត / subscript DA ្ដ"),
    ("ដើរ", "ដេីរ", "Khmer ើ / េ + ី"),
    ("កោះ", "កេាះ", "Khmer ោ / េ + ា"),
    ("ស្ត្រី", "ស្រ្តី", "Khmer coeng RO after / before the other subscript"),
    ("ប៊ី", "បី៊", "Khmer register shifter before / after the vowel"),
    ("ឱ្យ", "ឲ្យ", "Khmer ឱ / deprecated ឲ"),
    ("អក្សរ", "ឣក្សរ", "Khmer អ / deprecated ឣ"),
    ("ក៏", "ក\u17b4៏", "Khmer: an invisible inherent vowel"),
    ("ໜ້າ", "ຫນ້າ", "Lao ໜ / ຫ + ນ"),
    ("ໝາກ", "ຫມາກ", "Lao ໝ / ຫ + ມ"),
    ("ນ້ຳ", "ນ້ໍາ", "Lao ຳ / ໍ + າ"),
    ("ນ້ຳ", "ນໍ້າ", "Lao: the tone inside ໍ + າ"),
    ("ນ້ຳ", "ນຳ້", "Lao: the tone after ຳ"),
    ("ແມ່", "ເເມ່", "Lao ແ / ເ + ເ"),
    ("ຫຼາຍ", "ຫລາຍ", "Lao ຫຼ / the older ຫລ"),
    ("ກີ່", "ກ່ີ", "Lao: the tone after / before a vowel above"),
    ("ทำ", "ทํา", "Thai ำ / ํ + า"),
    ("ค่ำ", "คํ่า", "Thai: the tone inside ํ + า"),
    ("ค่ำ", "คำ่", "Thai: the tone after ำ"),
    ("แพง", "เเพง", "Thai แ / เ + เ"),
    ("กี่", "ก่ี", "Thai: the tone after / before a vowel above"),
    ("ศักดิ์", "ศักด์ิ", "Thai: thanthakhat after / before a vowel above"),
    ("ก่", "ก่่", "Thai: a tone mark typed twice"),
    ("ဥယျာဉ်", "ဉယျာဥ်", "Burmese ဥ (u) / ဉ (nya)"),
    ("\u1026\u1038", "\u1025\u102e\u1038", "Burmese ဦ / ဥ + ီ (NFC)"),
    ("ဝယ်", "၀ယ်", "Burmese letter ဝ / digit ၀"),
    ("ကြွ", "ကွြ", "Burmese medials ြ ွ in either order"),
    ("\u1001\u103b\u103e", "\u1001\u103e\u103b", "Burmese medials ျ ှ in either order"),
    ("ကြေ", "ကေြ", "Burmese ေ after / before a medial"),
    ("ကို", "ကုိ", "Burmese vowel above before / after the one below"),
    ("ကုံ", "ကံု", "Burmese ံ after / before ု"),
    ("ကော့", "ကေ့ာ", "Burmese ့ after / before the vowel"),
    ("ကဲ့", "က့ဲ", "Burmese ့ after / before ဲ"),
    ("\u1014\u1037\u103a", "\u1014\u103a\u1037", "Burmese ့ and ် in either order (NFC)"),
]


@pytest.mark.parametrize(("one", "other", "what"), CONFUSABLE, ids=[c[2] for c in CONFUSABLE])
def test_confusable_spellings_meet(one: str, other: str, what: str) -> None:
    assert one != other
    assert normalise_search(one) == normalise_search(other), what
    assert normalise(one) == normalise(other), what
    assert fold_confusables(fold_confusables(other)) == fold_confusables(other)  # idempotent


def test_confusable_folding_leaves_other_text_alone() -> None:
    for text in ("Silk scarf 150k", "Khăn lụa", "ผ้าไหม", "ທໍດ້ວຍມື", "ផ្ទះ", "ငွေ ၁၂၃"):
        assert fold_confusables(text) == fold_confusables(fold_confusables(text))
    assert fold_confusables("Silk scarf 150k") == "Silk scarf 150k"
    assert fold_confusables("ງ່າຍ") == "ງ່າຍ" and fold_confusables("ก่อน") == "ก่อน"  # nothing to fold
    assert normalise_search("ငွေ ၁၂၃") == normalise_search("ငွေ ၁၂၃")
