"""Chat spellings folded before FAQ matching (bot/text/faq_chat.py) and what they change in the matcher."""

from __future__ import annotations

from bot.text.faq_chat import CHAT_WORDS, unchat
from bot.text.faq_index import FaqIndex
from bot.text.features import analyse


def test_chat_spellings_become_the_written_words() -> None:
    assert list(unchat("brp harga yg pas".split())) == ["berapa", "harga", "yang", "pas"]
    assert list(unchat("mcm mana nak".split())) == ["macam", "mana", "nak"]
    assert list(unchat("pano mag post".split())) == ["paano", "mag", "post"]
    assert list(unchat("ppl pls".split())) == ["people", "please"]
    # one chat word may stand for several written words
    assert list(unchat(["ntn"])) == ["nhu", "the", "nao"]
    assert list(unchat(["dmn"])) == ["di", "mana"]


def test_words_of_other_scripts_and_unknown_words_pass_unchanged() -> None:
    tokens = ["ລາຄາ", "ราคา", "harga", "scarf", "150"]
    assert list(unchat(tokens)) == tokens


def test_words_with_two_meanings_across_languages_are_left_alone() -> None:
    # "ko" is Vietnamese "không" but Filipino "I/my"; "di" is Indonesian "at" but Filipino "not";
    # "kg" is a kilogram in a shipping question
    for ambiguous in ("ko", "di", "kg", "no", "san pham"):
        assert ambiguous not in CHAT_WORDS
    assert all(chat == chat.casefold() and " " not in chat for chat in CHAT_WORDS)


def test_analyse_sees_a_chat_spelling_as_its_word() -> None:
    assert analyse("brp harga").features == analyse("berapa harga").features
    assert analyse("gmn cara jual").words == ("bagaimana", "cara", "jual")


def test_a_chat_style_question_matches_the_written_phrasing() -> None:
    index = FaqIndex.from_phrasings([
        ("price-handmade", {"id": ["Berapa harga yang pantas untuk kerajinan saya?"]}),
        ("bot-courses", {"id": ["Bagaimana cara mulai kursus?"], "fil": ["Paano magsimula ng kurso?"]}),
        ("bot-stop", {"ms": ["Macam mana nak berhenti terima mesej?"]}),
    ])
    for question, expected in (("brp harga yg pas", "price-handmade"), ("gmn cara mulai kursus", "bot-courses"),
                               ("pano magsimula kurso", "bot-courses"), ("mcm mana nak berhenti", "bot-stop")):
        found = index.search(question)
        assert found and found[0].entry_id == expected, (question, found)
    # the folded spelling scores as high as the written one
    assert index.search("brp harga yg pas")[0].score == index.search("berapa harga yang pas")[0].score
