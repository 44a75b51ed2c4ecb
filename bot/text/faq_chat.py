"""Chat spellings of Latin-script words, folded to the written word before FAQ matching.

Artisans type the FAQ's questions the way they chat: "brp harga" (berapa), "mcm mana nak" (macam
mana), "gmn cara" (bagaimana), "ko dc" (không được), "pano mag" (paano), "ppl", "pls". Each such
token is replaced by the word it stands for, on both sides (the question and every FAQ phrasing go
through :func:`bot.text.features.analyse`), so a phrasing written either way meets a question typed
either way, and the word's n-grams count for what it means instead of as an unknown typo.

Only tokens that mean one thing in every language the FAQ serves are listed: "ko" is Vietnamese
"không" but Filipino "my/I", "di" is Indonesian "at" but Filipino "not", so neither is here. The
language of a question is not known when it is matched (the same text may be Malay or Indonesian),
so one table serves all. Letters are casefolded and accents kept as :func:`bot.text.normalise.normalise`
leaves them; Vietnamese expansions are written without accents (Latin words are compared that way).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Chat spelling -> the written word(s), grouped by the language that types them most.
_EN = {
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "pliz": "please", "wat": "what",
    "wut": "what", "shud": "should", "shld": "should", "cud": "could", "wud": "would", "hw": "how",
    "wanna": "want to", "gonna": "going to", "ppl": "people", "msg": "message", "msgs": "messages",
    "acc": "account", "acct": "account", "tmrw": "tomorrow", "tmr": "tomorrow", "pic": "photo",
    "pics": "photos", "thx": "thanks", "abt": "about", "bcoz": "because", "coz": "because",
    "cuz": "because", "b4": "before", "1st": "first", "hv": "have", "hav": "have", "dat": "that",
    "wif": "with", "bt": "but", "wen": "when", "whr": "where", "gud": "good", "hlp": "help",
}
_ID = {
    "brp": "berapa", "brapa": "berapa", "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana",
    "gmana": "bagaimana", "gak": "tidak", "nggak": "tidak", "ngga": "tidak", "gk": "tidak",
    "enggak": "tidak", "tdk": "tidak", "yg": "yang", "utk": "untuk", "untk": "untuk", "dgn": "dengan",
    "sy": "saya", "org": "orang", "bs": "bisa", "dr": "dari", "dmn": "di mana", "hrs": "harus",
    "lwt": "lewat", "pake": "pakai", "liat": "lihat", "jgn": "jangan", "sdh": "sudah", "udah": "sudah",
    "udh": "sudah", "blm": "belum", "krn": "karena", "tp": "tapi", "kalo": "kalau", "klo": "kalau",
    "sampe": "sampai", "bgmn": "bagaimana", "bgaimana": "bagaimana", "gimn": "bagaimana",
}
_MS = {
    "mcm": "macam", "camne": "macam mana", "cmne": "macam mana", "camana": "macam mana",
    "mcmmana": "macam mana", "nk": "nak", "sgt": "sangat", "dpt": "dapat", "blh": "boleh",
    "bole": "boleh", "tgk": "tengok", "ckp": "cakap", "x": "tidak", "tak": "tidak", "xde": "tiada",
    "takde": "tiada", "dlm": "dalam", "brape": "berapa",
}
_VI = {
    "dc": "duoc", "đc": "duoc", "dk": "duoc", "ntn": "nhu the nao", "sđt": "so dien thoai",
    "sdt": "so dien thoai", "kd": "kinh doanh", "đt": "dien thoai", "bn": "bao nhieu",
    "sp": "san pham", "hok": "khong", "hong": "khong", "khg": "khong", "k": "khong",
    "j": "gi", "cty": "cong ty", "mn": "moi nguoi", "vs": "voi", "tk": "tai khoan",
}
_FIL = {
    "pano": "paano", "panu": "paano", "pnu": "paano", "san": "saan", "pwde": "pwede", "pde": "pwede",
    "puwede": "pwede", "nyo": "ninyo", "wag": "huwag", "d2": "dito", "nmn": "naman", "tlga": "talaga",
    "mgkno": "magkano", "bkt": "bakit", "kc": "kasi", "lng": "lang", "ung": "yung", "iyong": "yung",
}

CHAT_WORDS: dict[str, tuple[str, ...]] = {
    chat: tuple(written.split()) for table in (_EN, _ID, _MS, _VI, _FIL) for chat, written in table.items()
}


def unchat(tokens: Iterable[str]) -> Iterator[str]:
    """The tokens (normalised words) with each chat spelling replaced by the word(s) it stands for."""
    get = CHAT_WORDS.get
    for token in tokens:
        written = get(token)
        if written is None:
            yield token
        else:
            yield from written
