"""The certificate image: a name in each of the nine languages' scripts is drawn (shaped by raqm with the
bundled Noto fonts), the QR decodes to the verify link, and the PNG stays under 200 KB."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.certificates.render import (
    FONTS,
    HEIGHT,
    MAX_BYTES,
    PAPER,
    WIDTH,
    CertificateText,
    draw_line,
    qr_image,
    render_certificate,
    runs,
    shaping_available,
)

URL = "https://bot.example.org/verify/ABCDEFGH23"
NAMES = {  # a name as a learner of each language might write it
    "en": "Ana Reyes",
    "lo": "ສົມພອນ ວົງສະຫວັນ",
    "km": "សុខ ស្រីមុំ",
    "vi": "Nguyễn Thị Hương",
    "th": "สมศรี ใจดี",
    "id": "Siti Nurhaliza",
    "ms": "Nur Aisyah binti Ahmad",
    "my": "အောင်မြင့် ကျော်",
    "fil": "Maria Santos-Dela Cruz",
}
NAME_BOX = (120, 360, WIDTH - 120, 480)  # where the name goes (no logo)


def text_for(name: str, course: str = "Selling basics") -> CertificateText:
    return CertificateText("Certificate of completion", "This certifies that", name, "has completed the course",
                           course, "Date: 6 Dec 2026", "Issued by SMCE Skills Programme",
                           "Verification code: ABCDE-FGH23", URL)


def decode_qr(image: Image.Image) -> str | None:
    zxingcpp = pytest.importorskip("zxingcpp")
    found = zxingcpp.read_barcodes(image)
    return found[0].text if found else None


def test_raqm_is_there() -> None:
    assert shaping_available(), "Pillow without raqm would draw Lao, Khmer, Thai and Myanmar broken"
    for family in ("", "Lao", "Khmer", "Thai", "Myanmar"):
        assert (FONTS / f"NotoSans{family}-Regular.ttf").is_file() and (FONTS / f"NotoSans{family}-Bold.ttf").is_file()
    assert "SIL Open Font License" in (FONTS / "OFL.txt").read_text()


def test_text_is_split_by_script() -> None:
    assert list(runs("ສົມພອນ Noy 2026")) == [("Lao", "ສົມພອນ "), ("", "Noy 2026")]
    assert [family for family, _ in runs("សុខ ស្រីមុំ")] == ["Khmer"]  # the space stays in the run
    assert list(runs("Nguyễn")) == [("", "Nguyễn")]


@pytest.mark.parametrize("language", list(NAMES))
def test_a_name_in_each_script_is_drawn_and_the_qr_decodes(language: str) -> None:
    data = render_certificate(text_for(NAMES[language]))
    assert len(data) < MAX_BYTES and data.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    blank = render_certificate(text_for(""))
    region = ImageChops.difference(image.crop(NAME_BOX), Image.open(io.BytesIO(blank)).convert("RGB").crop(NAME_BOX))
    assert region.getbbox() is not None, f"nothing drawn for the {language} name"
    assert decode_qr(image) == URL


@pytest.mark.parametrize("language", ["lo", "km", "th", "my"])
def test_complex_scripts_are_shaped_with_their_own_font(language: str) -> None:
    """Each glyph drawn is a real one: the name as drawn differs from the same text in .notdef boxes, and
    shaping changes it (raqm's layout differs from one glyph per code point for these names)."""
    name = NAMES[language]
    drawn = Image.new("RGB", (WIDTH, 200), PAPER)
    draw_line(ImageDraw.Draw(drawn), name, 120, 88, fill="#000000", bold=True)
    boxes = Image.new("RGB", (WIDTH, 200), PAPER)
    draw_line(ImageDraw.Draw(boxes), "\ufffe" * len(name), 120, 88, fill="#000000", bold=True)
    assert drawn.getbbox() is not None
    assert ImageChops.difference(drawn, boxes).getbbox() is not None
    from PIL import ImageFont

    family = next(f for f, _ in runs(name))
    shaped = ImageFont.truetype(str(FONTS / f"NotoSans{family}-Bold.ttf"), 88, layout_engine=ImageFont.Layout.RAQM)
    basic = ImageFont.truetype(str(FONTS / f"NotoSans{family}-Bold.ttf"), 88, layout_engine=ImageFont.Layout.BASIC)
    assert shaped.getmask(name).size != basic.getmask(name).size or bytes(shaped.getmask(name)) != bytes(
        basic.getmask(name))


def test_long_course_titles_fit_and_the_qr_matrix_matches_segno() -> None:
    import segno

    data = render_certificate(text_for("Noy", "Selling online and getting paid: mobile money, QR payments and "
                                              "marketplaces without scams"))
    assert len(data) < MAX_BYTES
    qr = qr_image(URL, 250).convert("1")
    matrix = [list(row) for row in segno.make(URL, error="m", micro=False, boost_error=False).matrix_iter(border=4)]
    scale = qr.width // len(matrix)
    assert all(bool(matrix[y][x]) == (qr.getpixel((x * scale + 1, y * scale + 1)) == 0)
               for y in range(len(matrix)) for x in range(len(matrix)))


def test_a_logo_is_drawn_and_a_missing_one_is_skipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 200), "#c0392b").save(logo)
    with_logo = Image.open(io.BytesIO(render_certificate(text_for("Noy"), logo))).convert("RGB")
    assert with_logo.getpixel((WIDTH // 2, 120)) != Image.new("RGB", (1, 1), PAPER).getpixel((0, 0))
    assert render_certificate(text_for("Noy"), tmp_path / "missing.png").startswith(b"\x89PNG")
