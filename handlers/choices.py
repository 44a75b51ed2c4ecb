"""Shared lists: crafts (also the marketplace categories) and the countries the platform serves.

Country names come from babel's CLDR data in the user's own language, so they need no catalog entry.
"""

from __future__ import annotations

from bot.i18n import N_, Translator

CRAFTS: dict[str, str] = {
    "weaving": N_("Weaving and textiles"),
    "ceramics": N_("Ceramics"),
    "wood": N_("Wood"),
    "metal": N_("Metal and jewellery"),
    "paper": N_("Paper and painting"),
    "music": N_("Music and performance"),
    "food": N_("Food heritage"),
    "other": N_("Other"),
}

# ASEAN members and Timor-Leste, in the order most users come from.
COUNTRIES = ("LA", "KH", "VN", "TH", "ID", "MY", "MM", "PH", "SG", "BN", "TL")
COUNTRY_LANGUAGE = {"LA": "lo", "KH": "km", "VN": "vi", "TH": "th", "ID": "id", "MY": "ms", "BN": "ms",
                    "MM": "my", "PH": "fil", "SG": "en", "TL": "en"}
COUNTRY_CURRENCY = {"LA": "LAK", "KH": "KHR", "VN": "VND", "TH": "THB", "ID": "IDR", "MY": "MYR", "MM": "MMK",
                    "PH": "PHP", "SG": "SGD", "BN": "BND", "TL": "USD"}
COUNTRY_TIMEZONE = {"LA": "Asia/Vientiane", "KH": "Asia/Phnom_Penh", "VN": "Asia/Ho_Chi_Minh",
                    "TH": "Asia/Bangkok", "ID": "Asia/Jakarta", "MY": "Asia/Kuala_Lumpur", "MM": "Asia/Yangon",
                    "PH": "Asia/Manila", "SG": "Asia/Singapore", "BN": "Asia/Brunei", "TL": "Asia/Dili"}


def country_name(code: str, t: Translator) -> str:
    name = t.locale.territories.get(code)
    return str(name) if name else code


def craft_name(code: str, t: Translator) -> str:
    return t.gettext(CRAFTS.get(code, CRAFTS["other"]))
