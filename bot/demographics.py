"""The two optional profile answers that programme reports count: sex and age band.

Stored as codes (``users.sex``, ``users.age_band``), never as translated words; shown with the labels
below in the reader's language (the chat's questions and profile, the console's dashboard and report).
Every question offers "Prefer not to say" (stored as ``undisclosed``) and can be skipped (stored as
nothing): a report counts the two apart.
"""

from __future__ import annotations

from bot.i18n import N_, Translator

UNDISCLOSED = "undisclosed"

SEXES: dict[str, str] = {
    "woman": N_("Woman"),
    "man": N_("Man"),
    "another": N_("Another identity"),
    UNDISCLOSED: N_("Prefer not to say"),
}

AGE_BANDS: dict[str, str] = {
    "under_18": N_("Under 18"),
    "18_24": N_("18 to 24"),
    "25_34": N_("25 to 34"),
    "35_44": N_("35 to 44"),
    "45_54": N_("45 to 54"),
    "55_64": N_("55 to 64"),
    "65_plus": N_("65 or older"),
    UNDISCLOSED: N_("Prefer not to say"),
}

# Field name → its choices (code → label), in the order they are offered.
CHOICES: dict[str, dict[str, str]] = {"sex": SEXES, "age_band": AGE_BANDS}

# The first age of each band (ages under the first band's bound are "under_18").
_BAND_STARTS = ((65, "65_plus"), (55, "55_64"), (45, "45_54"), (35, "35_44"), (25, "25_34"), (18, "18_24"))


def age_band_of(age: int) -> str | None:
    """The band of an age in years (a typed "34" → ``25_34``); None for what is no plausible age."""
    if not 5 <= age <= 120:
        return None
    return next((band for start, band in _BAND_STARTS if age >= start), "under_18")


def label(field: str, code: str | None, t: Translator) -> str | None:
    """The translated label of a stored code; an unknown code as it is; None for no answer."""
    if code is None:
        return None
    words = CHOICES.get(field, {}).get(code)
    return t.gettext(words) if words else code
