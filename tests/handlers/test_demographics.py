"""Reading typed answers to the two optional questions (sex, age band) in any language, and their labels."""

from __future__ import annotations

import pytest

from bot.demographics import AGE_BANDS, SEXES, age_band_of, label
from bot.i18n import LANGUAGES, Translator
from handlers.demographics import SKIP, typed_optional


@pytest.mark.parametrize(("text", "code"), [
    ("34", "25_34"), ("I am 34", "25_34"), ("25-34", "25_34"), ("၃၀", "25_34"), ("๔๕", "45_54"),
    ("17", "under_18"), ("Under 18", "under_18"), ("65+", "65_plus"), ("90", "65_plus"), ("18 to 24", "18_24"),
    ("prefer not to say", "undisclosed"), ("Skip", SKIP), ("skip", SKIP),
])
def test_typed_age_band(text: str, code: str) -> None:
    assert typed_optional("age_band", text) == (code,)


@pytest.mark.parametrize("text", ["17 or 40", "300", "banana", "", "2"])
def test_no_age_band_from_what_is_not_one(text: str) -> None:
    assert typed_optional("age_band", text) == ()


@pytest.mark.parametrize(("text", "code"), [
    ("Woman", "woman"), ("female", "woman"), ("MAN", "man"), ("male", "man"), ("non-binary", "another"),
    ("Another", "another"), ("rather not say", "undisclosed"), ("no", SKIP),
])
def test_typed_sex(text: str, code: str) -> None:
    assert typed_optional("sex", text) == (code,)


def test_every_label_in_every_language_names_its_code() -> None:
    for lang in LANGUAGES:
        t = Translator(lang)
        for field, choices in (("sex", SEXES), ("age_band", AGE_BANDS)):
            for code, words in choices.items():
                assert typed_optional(field, t.gettext(words)) == (code,), (lang, field, code)
        assert typed_optional("sex", t.gettext("Skip")) == (SKIP,)


def test_age_bands_and_labels() -> None:
    assert [age_band_of(n) for n in (4, 5, 17, 18, 24, 25, 64, 65, 120, 121)] == [
        None, "under_18", "under_18", "18_24", "18_24", "25_34", "55_64", "65_plus", "65_plus", None]
    en = Translator("en")
    assert label("sex", "woman", en) == "Woman" and label("age_band", "65_plus", en) == "65 or older"
    assert label("sex", None, en) is None and label("sex", "weird", en) == "weird"
