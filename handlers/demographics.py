"""The chat side of the two optional answers (``bot.demographics``: sex and age band): their buttons, with
"Skip" (or another last button), and reading a typed answer in any language ("Skip", "female", "Wanita",
an age "34" or a range "25-34", in any digits). Onboarding asks them; ``/profile`` changes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from bot.context import Context
from bot.demographics import CHOICES, age_band_of
from bot.i18n import LANGUAGES, N_, Translator
from bot.types import Button, rows
from handlers.choices import Vocabulary, fold, pick, vocabulary

SKIP = "skip"
SKIP_LABEL = N_("Skip")
Buttons = tuple[tuple[Button, ...], ...]

# What people type for the optional answers besides the buttons' words (in every language).
NOT_SAYING = ("prefer not", "rather not say", "not say", "no answer", "private")
OPTIONAL_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"woman": ("female", "f", "women", "girl", "lady"), "man": ("male", "m", "men", "boy"),
            "another": ("other", "non-binary", "nonbinary", "non binary"), "undisclosed": NOT_SAYING},
    "age_band": {"under_18": ("under 18", "below 18", "minor"), "65_plus": ("over 65", "older than 65"),
                 "undisclosed": NOT_SAYING},
}


@cache
def optional_vocabulary(field: str) -> Vocabulary:
    labels = {code: [Translator(lang).gettext(label) for lang in LANGUAGES] for code, label in CHOICES[field].items()}
    return vocabulary(OPTIONAL_WORDS[field], labels)


@cache
def skip_words() -> frozenset[str]:
    translated = (fold(Translator(lang).gettext(SKIP_LABEL)) for lang in LANGUAGES)
    return frozenset({"skip", "next", "no", "later", *translated})


def typed_optional(field: str, text: str) -> tuple[str, ...]:
    """What a typed answer to an optional question names: ``skip``, codes of ``field`` (a button's words in
    any language, a few common words), or for the age band an age or a range ("34", "25-34", "၃၀")."""
    if fold(text) in skip_words():
        return (SKIP,)
    found = pick(text, optional_vocabulary(field), CHOICES[field])
    if not found and field == "age_band":
        bands = {age_band_of(int(n)) for n in re.findall(r"\d{1,3}", text)}
        found = tuple(b for b in bands if b) if len(bands) == 1 else ()
    return found


def optional_buttons(ctx: Context, field: str, encode: Callable[[str], str], codes: Iterable[str] | None = None,
                     last: tuple[str, str] | None = (SKIP_LABEL, SKIP)) -> Buttons:
    """The choices of an optional field (or just ``codes``), then ``last`` (label, code): "Skip" by default."""
    choices = CHOICES[field]
    buttons = [Button(ctx._(choices[code]), encode(code)) for code in (codes or choices) if code in choices]
    if last and codes is None:
        buttons.append(Button(ctx._(last[0]), encode(last[1])))
    return rows(*buttons, width=2)


