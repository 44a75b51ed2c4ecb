"""Shared lists: crafts (also the marketplace categories) and the countries the platform serves, and
reading a typed answer to a question asked with buttons (:func:`pick`).

Country names come from babel's CLDR data in the user's own language, so they need no catalog entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from rapidfuzz import fuzz

from bot.i18n import LANGUAGES, N_, Translator
from bot.text.normalise import normalise_search

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

# What people type for a craft besides the buttons' words (in every language): the trade, its maker, its
# material. A word that also means something else common (Lao ເງິນ "silver" and "money") is left out.
CRAFT_WORDS: dict[str, tuple[str, ...]] = {
    "weaving": ("weave", "weaver", "weavers", "textile", "fabric", "cloth", "silk", "embroidery", "loom",
                "ທໍ", "ທໍຜ້າ", "ຜ້າ", "ຜ້າໄໝ", "ໄໝ", "ຜ້າທໍ", "តម្បាញ", "ត្បាញ", "សូត្រ", "ក្រណាត់",
                "dệt", "dệt may", "vải", "lụa", "thổ cẩm", "ทอ", "ทอผ้า", "งานทอ", "ผ้า", "ผ้าไหม", "สิ่งทอ",
                "tenun", "tenunan", "songket", "kain", "ယက်လုပ်ငန်း", "ယက်ကန်း", "အထည်", "ပိုးထည်",
                "habi", "paghahabi", "manghahabi", "hinabi", "burda"),
    "ceramics": ("ceramic", "pottery", "potter", "clay", "ເຄື່ອງປັ້ນ", "ປັ້ນດິນ", "ດິນເຜົາ", "ស្មូន", "ស្មូនឆ្នាំង",
                 "gốm", "đồ gốm", "เครื่องปั้นดินเผา", "ดินเผา", "เซรามิค", "gerabah", "tembikar",
                 "မြေအိုး", "ကြွေ", "palayok", "seramiko"),
    "wood": ("woodwork", "woodcarving", "wood carving", "carving", "carver", "ແກະສະຫຼັກ", "ແກະສະຫຼັກໄມ້",
             "ឆ្លាក់ឈើ", "điêu khắc gỗ", "đồ gỗ", "แกะสลักไม้", "งานไม้", "ukiran", "ukiran kayu",
             "ပန်းပု", "လက်သမား", "ukit", "inukit", "karpintero"),
    "metal": ("jewelry", "jeweller", "jeweler", "silver", "silversmith", "gold", "goldsmith", "blacksmith",
              "ໂລຫະ", "ເຄື່ອງປະດັບ", "ຊ່າງເງິນ", "ជាងប្រាក់", "ជាងមាស", "គ្រឿងអលង្ការ", "trang sức", "bạc",
              "kim hoàn", "เครื่องเงิน", "เครื่องประดับ", "ช่างเงิน", "perak", "emas", "perhiasan", "barang kemas",
              "ငွေထည်", "ရွှေထည်", "လက်ဝတ်ရတနာ", "pilak", "ginto", "alahas"),
    "paper": ("painting", "painter", "paint", "drawing", "ເຈ້ຍ", "ແຕ້ມຮູບ", "ក្រដាស", "គំនូរ", "giấy", "tranh",
              "กระดาษ", "จิตรกรรม", "ภาพวาด", "kertas", "lukisan", "စက္ကူ", "ပန်းချီ", "papel", "pintura"),
    "music": ("musician", "performance", "dance", "dancer", "ດົນຕີ", "ຟ້ອນ", "តន្ត្រី", "របាំ", "âm nhạc",
              "nhạc", "múa", "ดนตรี", "การแสดง", "ฟ้อน", "musik", "muzik", "tari", "tarian", "ဂီတ", "အက",
              "musika", "sayaw", "mananayaw"),
    "food": ("cooking", "cuisine", "cook", "ອາຫານ", "ម្ហូប", "អាហារ", "ẩm thực", "món ăn", "อาหาร", "makanan",
             "kuliner", "masakan", "အစားအစာ", "pagkain", "luto"),
    "other": ("others", "something else", "ອື່ນ", "ផ្សេង", "khác", "อื่น", "lain", "lainnya", "အခြား", "iba"),
}

# Country names people use besides the CLDR names of every language (English included): short forms,
# old names, the people or their language ("pinas", "kampuchea", "burma", "ខ្មែរ").
COUNTRY_WORDS: dict[str, tuple[str, ...]] = {
    "LA": ("lao", "laos", "lao pdr", "laotian", "ລາວ", "ປະເທດລາວ", "ສປປ ລາວ", "ສປປລາວ"),
    "KH": ("cambodia", "cambodian", "kampuchea", "khmer", "ខ្មែរ", "កម្ពុជា", "ប្រទេសកម្ពុជា", "srok khmer"),
    "VN": ("vietnam", "viet nam", "việt nam", "vietnamese", "ຫວຽດ", "វៀតណាម"),
    "TH": ("thai", "thailand", "ไทย", "ประเทศไทย", "เมืองไทย", "siam", "thai lan"),
    "ID": ("indo", "indonesia", "indonesian", "republik indonesia"),
    "MY": ("malaysia", "malaysian", "msia"),
    "MM": ("myanmar", "burma", "burmese", "မြန်မာ", "မြန်မာပြည်", "မြန်မာနိုင်ငံ"),
    "PH": ("philippines", "philippine", "pinas", "pilipinas", "filipinas", "filipina", "phils", "pinoy"),
    "SG": ("singapore", "singapura", "s'pore"),
    "BN": ("brunei", "brunei darussalam", "negara brunei darussalam"),
    "TL": ("timor-leste", "timor leste", "east timor", "timor", "timor lorosae"),
}

CUTOFF = 80  # rapidfuzz ratio (0-100): a close misspelling, not another word
Vocabulary = Mapping[str, frozenset[str]]  # a typed form (see fold) → the codes it names


def fold(text: str) -> str:
    """The form typed answers are compared in: casefolded, accents dropped from Latin letters (not the vowel
    marks of Thai or Lao), punctuation as spaces."""
    return normalise_search(text)


def vocabulary(named: Mapping[str, Iterable[str]], labels: Mapping[str, Iterable[str]]) -> Vocabulary:
    """``named``: whole answers per code (names, synonyms); ``labels``: the buttons' words per code, each of
    which also counts whole, and word by word (its first word, "textiles") when no other code has that word."""
    vocab: dict[str, set[str]] = {}
    pieces: dict[str, set[str]] = {}
    for source in (named, labels):
        for code, words in source.items():
            for word in words:
                if key := fold(word):
                    vocab.setdefault(key, set()).add(code)
                    if source is labels:
                        for piece in key.split():
                            pieces.setdefault(piece, set()).add(code)
    for piece, codes in pieces.items():
        if len(piece) >= 3 and len(codes) == 1:
            vocab.setdefault(piece, set(codes))
    return {word: frozenset(codes) for word, codes in vocab.items()}


def pick(text: str, vocab: Vocabulary, order: Iterable[str], *, sentence: bool = True) -> tuple[str, ...]:
    """The codes a typed answer names, in ``order``: one (chosen), several (ask which), or none.

    The whole answer as a known word; else (with ``sentence``, when the message answers the question) the
    known words of a short answer ("I weave silk"); else the closest word when it is a close misspelling,
    and every code that is exactly as close."""
    said = fold(text)
    if not said or len(said) > 60:
        return ()
    found = set(vocab.get(said, ()))
    words = said.split()
    if not found and sentence and 1 < len(words) <= 6:
        found = {code for word in words for code in vocab.get(word, ())}
    if not found and len(said) >= 4:  # "sam" is no misspelling of "siam"
        best: dict[str, float] = {}
        for word, codes in vocab.items():
            score = fuzz.ratio(said, word)
            for code in codes:
                best[code] = max(best.get(code, 0.0), score)
        top = max(best.values(), default=0.0)
        if top >= CUTOFF:
            found = {code for code, score in best.items() if score == top}
    return tuple(code for code in order if code in found)


@cache
def craft_vocabulary() -> Vocabulary:
    labels = {code: [Translator(lang).gettext(label) for lang in LANGUAGES] for code, label in CRAFTS.items()}
    return vocabulary(CRAFT_WORDS, labels)


@cache
def country_vocabulary() -> Vocabulary:
    labels = {code: [country_name(code, Translator(lang)) for lang in LANGUAGES] for code in COUNTRIES}
    return vocabulary(COUNTRY_WORDS, labels)


def typed_craft(text: str) -> tuple[str, ...]:
    return pick(text, craft_vocabulary(), CRAFTS)


def typed_country(text: str) -> tuple[str, ...]:
    return pick(text, country_vocabulary(), COUNTRIES)


def country_name(code: str, t: Translator) -> str:
    name = t.locale.territories.get(code)
    return str(name) if name else code


def craft_name(code: str, t: Translator) -> str:
    return t.gettext(CRAFTS.get(code, CRAFTS["other"]))
