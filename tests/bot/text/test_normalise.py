"""Character-level normalisation (bot/text/normalise.py) and the search terms and close words built on
it (bot/text/features.py): the FAQ form, the search form, syllable clusters."""

from __future__ import annotations

from bot.text.features import analyse, close_words, split_terms, terms_of
from bot.text.normalise import clusters, is_unspaced, normalise, normalise_search


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
