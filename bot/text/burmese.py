"""Burmese typed in Zawgyi, read as Unicode.

Many phones in Myanmar still type with the Zawgyi font encoding: the same code points as Unicode Burmese,
used for other letters and in another order, so Zawgyi text matches nothing typed in Unicode. Every inbound
text passes through :func:`to_unicode` (``bot.text.normalise.normalise_text``, applied once by the engine):
when Google's detector (myanmartools) says it is Zawgyi, ICU's ``Zawgyi-my`` transliterator converts it.
Only Unicode is stored, matched and searched.

Both libraries load on first use of Burmese text, so the other languages pay nothing for them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

MYANMAR = re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]")
THRESHOLD = 0.95  # the detector's own recommendation: above it, the text is Zawgyi...
SURE = 0.999  # ...but a short Unicode word can score up to 0.99, so between the two more evidence is needed
LONG = 12  # Burmese letters: from this length the detector is reliable at THRESHOLD
# Evidence of Zawgyi's visual order, impossible in Unicode: a dependent sign (ေ, ျ, …) starting a word,
# a virama (U+1039) stacking nothing, or Zawgyi's ligature code points (U+1060-U+1097).
_DEPENDENT = "\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d"
_SHAPE = re.compile(r"(?:^|[^\u1000-\u109f])[" + _DEPENDENT + r"]|\u1039(?![\u1000-\u1021])|[\u1060-\u1097]")
_LIGATURES = re.compile("[\u1060-\u1097]")  # Zawgyi's stacked forms; Mon and Shan letters in Unicode
LIKELY = 0.5  # with Zawgyi's ligatures in the text, an even chance is enough ("မဂၤလာပါ")


@cache
def _detector() -> Any:
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


@cache
def _converter() -> Any:
    import icu

    return icu.Transliterator.createInstance("Zawgyi-my")


def zawgyi_probability(text: str) -> float:
    """How likely ``text`` is Zawgyi-encoded (0 for text without Burmese letters)."""
    if not MYANMAR.search(text):
        return 0.0
    return float(_detector().get_zawgyi_probability(text))


def is_zawgyi(text: str) -> bool:
    """Zawgyi when the detector is sure, or fairly sure and the text is long or shaped like Zawgyi.

    Measured on the 5,104 Burmese texts and words of our catalogs and course library and on their Zawgyi
    renderings (ICU ``my-Zawgyi``): no Unicode text is changed, 94 % of the Zawgyi ones are converted (the
    rest are short words the detector cannot tell apart, left as they are). The detector alone at 0.95
    changed five Unicode words ("ကြာသလဲ" would become "ကွာသလဲ").
    """
    probability = zawgyi_probability(text)
    if probability > SURE:
        return True
    if probability <= THRESHOLD:
        return probability > LIKELY and bool(_LIGATURES.search(text))
    return len(MYANMAR.findall(text)) >= LONG or bool(_SHAPE.search(text))


def to_unicode(text: str) -> str:
    """``text`` in Unicode Burmese: converted when it is Zawgyi, else unchanged."""
    if not is_zawgyi(text):
        return text
    return str(_converter().transliterate(text))
