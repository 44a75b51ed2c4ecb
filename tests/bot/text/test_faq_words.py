"""Dictionary words of Thai, Lao, Khmer and Burmese for the FAQ matcher (bot/text/faq_words.py)."""

from __future__ import annotations

from bot.text import features
from bot.text.faq_words import words
from bot.text.features import analyse


def test_each_script_is_cut_into_its_words() -> None:
    assert words("เริ่มเรียนยังไง") == ("เริ่ม", "เรียน", "ยัง", "ไง")
    assert words("ເລີ່ມຮຽນແນວໃດ") == ("ເລີ່ມ", "ຮຽນ", "ແນວ", "ໃດ")
    assert words("ចាប់ផ្តើមរៀនម៉េច") == ("ចាប់ផ្តើម", "រៀន", "ម៉េច")
    assert words("သင်ခန်းစာဘယ်လို")[:2] == ("သင်ခန်းစာ", "ဘယ်လို")


def test_the_words_put_back_together_are_the_text_without_spaces() -> None:
    for text in ("ราคาขายส่ง คิดยังไง", "ລາຄາຂາຍສົ່ງ", "តម្លៃលក់ដុំ", "လက်ကား ဈေးနှုန်း", "", "x"):
        assert "".join(words(text)) == text.replace(" ", "")


def test_words_are_features_of_text_as_typed_only() -> None:
    found = analyse("ราคาขายส่ง").features
    assert found["uwราคา"] == features.WORD_COUNT
    assert not any(f.startswith("sw") for f in found)  # the mark-stripped copy has n-grams only
    assert not any(f.startswith("uw") for f in analyse("wholesale price").features)


def test_text_outside_the_basic_plane_is_cut_safely() -> None:
    # ICU counts in UTF-16 units: an emoji (two units) must not shift the words after it
    cut = words("ราคา😀ขายส่ง")
    assert cut[0] == "ราคา" and cut[-1].endswith("ส่ง") and "".join(cut) == "ราคา😀ขายส่ง"
    assert "".join(words("ລາຄາ😀ຂາຍ")) == "ລາຄາ😀ຂາຍ"
