"""split_text never cuts inside a character cluster: property-style loops over generated and real texts.

Each sample is built from "atoms", clusters written out by hand (a consonant with its vowels and tone
marks, a Khmer coeng stack, a Myanmar virama stack, an emoji ZWJ sequence...). A cut is correct only on
an atom boundary: that is the oracle, independent of the code under test.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.text.split import is_cluster_start, split_text

ATOMS: dict[str, list[str]] = {
    "lao": ["ກ", "ຂ້", "ນີ້", "ເກົ່", "າ", "ລໍ", "ຄຳ", "ສຸ", "ໂຫ", "ໄປ", "ບໍ່", "ຫຼ", "ແມ່", "ນ້ຳ", "ເຂົ້", "ໃຈ"],
    "thai": ["ก", "น้ำ", "เก", "ไม้", "ที่", "สุ", "ค่ำ", "ะ", "โท", "แม่", "ใจ", "ปั้", "ฏิ", "กำ", "ลั", "ง"],
    "khmer": ["ស្ត្រី", "ខ្មែ", "រ", "ភា", "សា", "ក្សា", "ញ្ញ", "ប៉ុ", "ង់", "ស្រ", "ក", "ព្រះ", "ឆ្នាំ", "ស្ទី"],
    "burmese": ["မြ", "န်", "မာ", "င်္ဂ", "လိ", "ပ်", "ကျေး", "ဇူး", "တ", "င်", "ဒ္ဓ", "ဗု", "ကြွေ", "ထ", "ည့်"],
    "emoji": ["👨‍👩‍👧‍👦", "👍🏽", "🇱🇦", "🇰🇭", "1️⃣", "❤️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🎉", "👩🏾‍🌾", "a", "b"],
    "vietnamese": ["e\u0323\u0302", "o\u031b\u0309", "a\u0300", "n", "g", "đ", "ư\u0303", "i", "A\u0301"],
}
SEPARATORS = ["", "", "", "", "", " ", "\u200b", "\n", ". "]


def _sample(rng: random.Random, atoms: list[str], length: int) -> tuple[str, set[int]]:
    """A text of ``length`` atoms, with the set of positions where a cut is allowed."""
    text, boundaries = "", {0}
    for _ in range(length):
        text += rng.choice(atoms)
        boundaries.add(len(text))
        sep = rng.choice(SEPARATORS)
        if sep:
            text += sep
            boundaries.add(len(text))
            boundaries.update(len(text) - i for i in range(len(sep)))  # inside a separator is fine too
    return text, boundaries


def _cuts(text: str, pieces: list[str]) -> list[int]:
    """Where in ``text`` each piece starts and ends (pieces are stripped, so skip whitespace)."""
    positions, pos = [], 0
    for piece in pieces:
        while text[pos].isspace():
            pos += 1
        assert text.startswith(piece, pos), (piece, text[pos:pos + 20])
        positions += [pos, pos + len(piece)]
        pos += len(piece)
    assert not text[pos:].strip()
    return positions


def _utf16(text: str) -> int:  # Telegram counts message length in UTF-16 code units
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("script", list(ATOMS))
def test_cuts_fall_on_cluster_boundaries(script):
    rng = random.Random(script)
    atoms = ATOMS[script]
    longest = max(_utf16(a) for a in atoms)
    checked = 0
    for _ in range(150):
        text, boundaries = _sample(rng, atoms, rng.randint(5, 120))
        text = text.strip()
        for limit in (longest + 1, longest + 5, 37, 100):
            for measure in (len, _utf16):
                pieces = split_text(text, limit, measure)
                assert all(piece and measure(piece) <= limit for piece in pieces), (limit, pieces)
                for cut in _cuts(text, pieces):
                    assert cut in boundaries or text[cut - 1].isspace() or text[cut:cut + 1].isspace(), (
                        script, limit, text[max(0, cut - 5):cut], text[cut:cut + 5])
                checked += len(pieces)
    assert checked > 1000


def test_known_clusters_are_never_split():
    cases = {
        "Khmer coeng stack": "ស្ត្រី",
        "Myanmar kinzi": "င်္ဂ",
        "Myanmar virama stack": "ဒ္ဓ",
        "Thai SARA AM": "น้ำ",
        "Lao AM": "ນ້ຳ",
        "Lao leading vowel": "ເກົ່",
        "family emoji": "👨‍👩‍👧‍👦",
        "skin tone": "👍🏽",
        "flag": "🇱🇦",
        "keycap": "1️⃣",
        "tag sequence": "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
        "decomposed Vietnamese": "e\u0323\u0302",
        "CRLF": "\r\n",
    }
    for name, cluster in cases.items():
        for index in range(1, len(cluster)):
            assert not is_cluster_start(cluster, index), (name, index)
        # ... and the text around it can be cut right before and right after.
        text = "ab" + cluster + "cd"
        assert is_cluster_start(text, 2) and is_cluster_start(text, 2 + len(cluster)), name


def test_flags_are_cut_between_pairs():
    flags = "🇱🇦🇰🇭🇻🇳"  # six regional indicators, three flags
    assert [is_cluster_start(flags, i) for i in range(1, 6)] == [False, True, False, True, False]
    pieces = split_text(flags, 2)
    assert pieces == ["🇱🇦", "🇰🇭", "🇻🇳"]


def _real_texts() -> list[str]:
    texts = []
    root = Path(__file__).parents[3] / "content"
    for path in sorted((root / "courses").glob("*.yaml")) + sorted((root / "faq").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("lo", "km", "th", "my") and isinstance(value, str) and len(value) > 80:
                        texts.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(data)
    return texts


def test_real_lesson_texts_split_cleanly():
    texts = _real_texts()
    if len(texts) < 5:
        pytest.skip("the bundled content has no long Lao/Khmer/Thai/Burmese texts yet")
    bad_starts = {"\u17d2", "\u1039", "\u200d", "\u0e33", "\u0eb3"}
    for text in texts:
        for limit in (20, 45, 160):
            pieces = split_text(text, limit)
            assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
            for piece in pieces:
                first, last = piece[0], piece[-1]
                assert unicodedata.category(first) not in {"Mn", "Mc", "Me"} and first not in bad_starts, piece
                assert last not in {"\u17d2", "\u1039", "\u200d"}, piece
                assert len(piece) <= limit


def test_prefers_line_and_word_breaks():
    text = "ສະບາຍດີ ທຸກຄົນ\nມື້ນີ້ພວກເຮົາຮຽນກ່ຽວກັບລາຄາ"
    pieces = split_text(text, 20)
    assert pieces[0] == "ສະບາຍດີ ທຸກຄົນ"  # the line break, not the middle of the next line
    assert all(len(p) <= 20 for p in pieces) and "".join(pieces[1:]) == "ມື້ນີ້ພວກເຮົາຮຽນກ່ຽວກັບລາຄາ"
    assert split_text("short", 100) == ["short"]
    assert split_text("", 10) == [""]


def test_engine_normalises_input_to_nfc():
    from bot.text.normalise import normalise_text

    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert normalise_text(decomposed) == "Nguyễn"
    assert unicodedata.is_normalized("NFC", normalise_text("ເກົ່າ"))
