"""Zawgyi-encoded Burmese is converted to Unicode before anything reads it; Unicode Burmese is never changed.

The Zawgyi strings are as Zawgyi keyboards type them (visual order: ေ and ျ before the consonant, ္ as the
killer): "Mingalaba", "Myanmar", "thank you", "how much is the price", "my name is Myint Myint"."""

from __future__ import annotations

import icu
import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR
from bot.text.burmese import is_zawgyi, to_unicode
from bot.text.normalise import normalise_text

PAIRS = [
    ("မဂၤလာပါ", "မင်္ဂလာပါ"),
    ("ျမန္မာ", "မြန်မာ"),
    ("ေက်းဇူးတင္ပါတယ္", "ကျေးဇူးတင်ပါတယ်"),
    ("ေဈးႏႈန္း ဘယ္ေလာက္လဲ", "ဈေးနှုန်း ဘယ်လောက်လဲ"),
    ("ကြၽန္မနာမည္ ျမင့္ျမင့္ပါ", "ကျွန်မနာမည် မြင့်မြင့်ပါ"),
    ("ယက္ကန္းထည္ ေရာင္းခ်င္ပါတယ္", "ယက်ကန်းထည် ရောင်းချင်ပါတယ်"),
]


@pytest.mark.parametrize(("zawgyi", "unicode"), PAIRS)
def test_zawgyi_becomes_unicode(zawgyi: str, unicode: str) -> None:
    assert is_zawgyi(zawgyi)
    assert to_unicode(zawgyi) == unicode
    assert normalise_text(zawgyi) == unicode  # what the engine applies to every inbound message


@pytest.mark.parametrize("text", [u for _, u in PAIRS] + [
    "ကြာသလဲ။", "မိုးရွာမလား", "သိမ်းရမလဲ။", "ဘာသာစကား",  # short Unicode words the detector alone calls Zawgyi
    "Silk scarf ၁၅၀,၀၀၀ ကျပ်", "Hello", "ຜ້າໄໝ", "", "😀",
])
def test_unicode_and_other_text_stay_as_they_are(text: str) -> None:
    assert to_unicode(text) == text


def _catalog_texts() -> list[str]:
    with open(LOCALE_DIR / "my" / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    texts: list[str] = []
    for message in catalog:
        if message.id and message.string:
            texts.extend([message.string] if isinstance(message.string, str) else list(message.string))
    return texts


def test_the_whole_burmese_catalog_survives_and_its_zawgyi_renderings_come_back() -> None:
    texts = _catalog_texts()
    assert len(texts) > 500
    assert [t for t in texts if to_unicode(t) != t] == []  # no Unicode text is ever changed
    to_zawgyi = icu.Transliterator.createInstance("my-Zawgyi")
    renderings = [(z, t) for t in texts if (z := to_zawgyi.transliterate(t)) != t]
    back = sum(to_unicode(z) == t for z, t in renderings)
    assert back / len(renderings) >= 0.9, (back, len(renderings))
