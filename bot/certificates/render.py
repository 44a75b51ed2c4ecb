"""The certificate image: Pillow with its complex-text layout (raqm), the bundled Noto fonts, a QR code.

Text of any of the nine languages is split into runs by script (Lao, Khmer, Thai, Myanmar, else Latin),
each run drawn with its own Noto family on a shared baseline; raqm shapes each run (stacked vowels, Khmer
subscripts, Myanmar medials). Without raqm Pillow's basic layout would draw those scripts broken, so
``render_certificate`` refuses (``ShapingUnavailable``) instead of sending a wrong name: Pillow's wheels
from PyPI include raqm; a Pillow built without libraqm must be rebuilt with it (``PIL.features.check("raqm")``).

The result is a palette PNG of about 60 KB, under ``MAX_BYTES`` (200 KB).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, features

log = logging.getLogger(__name__)

FONTS = Path(__file__).resolve().parent / "fonts"
MAX_BYTES = 200 * 1024
WIDTH, HEIGHT = 1600, 1130
PAPER, INK, ACCENT, GOLD, MUTED = "#FBF7EE", "#1E2A30", "#1F4E5A", "#B8893B", "#5B6770"

# Unicode blocks of the scripts that need their own Noto family (everything else: Noto Sans).
SCRIPTS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("Thai", ((0x0E00, 0x0E7F),)),
    ("Lao", ((0x0E80, 0x0EFF),)),
    ("Myanmar", ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F))),
    ("Khmer", ((0x1780, 0x17FF), (0x19E0, 0x19FF))),
)


class ShapingUnavailable(RuntimeError):
    """Pillow has no raqm: Lao, Khmer, Thai and Myanmar text would be drawn unshaped."""


def shaping_available() -> bool:
    return bool(features.check("raqm"))


@dataclass(frozen=True)
class CertificateText:
    """Everything the certificate says, already in the learner's language."""

    heading: str  # "Certificate of completion"
    intro: str  # "This certifies that"
    name: str
    completed: str  # "has completed the course"
    course: str
    date: str  # "Date: 6 Dec 2026"
    issuer: str  # "Issued by SMCE Skills Programme"
    code: str  # "Verification code: ABCD…"
    url: str  # the verify link (also the QR)


def script_of(ch: str) -> str | None:
    """The family a character needs ("" for Noto Sans: Latin, Vietnamese, digits, punctuation), or None when
    it goes with its neighbours (spaces, combining marks, zero-width joiners)."""
    point = ord(ch)
    for name, blocks in SCRIPTS:
        if any(low <= point <= high for low, high in blocks):
            return name
    if unicodedata.category(ch) in ("Zs", "Mn", "Mc", "Me", "Cf"):
        return None
    return ""


def runs(text: str) -> Iterator[tuple[str, str]]:
    """(family, text) pieces: neutral characters join the run before them (or the one after, at the start)."""
    family: str | None = None
    piece = ""
    for ch in text:
        needed = script_of(ch)
        if needed is None or needed == family or family is None:
            family = needed if family is None else family
            piece += ch
            continue
        yield family, piece
        family, piece = needed, ch
    if piece:
        yield family or "", piece


@cache
def font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    weight = "Bold" if bold else "Regular"
    return ImageFont.truetype(str(FONTS / f"NotoSans{family}-{weight}.ttf"), size,
                              layout_engine=ImageFont.Layout.RAQM)


def text_width(text: str, size: int, bold: bool) -> float:
    return sum(font(family, size, bold).getlength(piece) for family, piece in runs(text))


def draw_line(draw: ImageDraw.ImageDraw, text: str, baseline: int, size: int, *, fill: str, bold: bool = False,
              x: float | None = None, max_width: int = WIDTH - 240, min_size: int = 20) -> int:
    """One line on ``baseline``, centred unless ``x`` is given, shrunk until it fits ``max_width``;
    returns the size used."""
    while size > min_size and text_width(text, size, bold) > max_width:
        size -= 2
    left = (WIDTH - text_width(text, size, bold)) / 2 if x is None else x
    for family, piece in runs(text):
        face = font(family, size, bold)
        draw.text((left, baseline), piece, font=face, fill=fill, anchor="ls")
        left += face.getlength(piece)
    return size


def split_in_two(text: str) -> tuple[str, str] | None:
    """A long line cut at the space nearest its middle (None when it has no space)."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return None
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut], text[cut + 1:]


def qr_image(url: str, size: int) -> Image.Image:
    """The verify link as a QR code (error correction M), ``size`` pixels square, quiet zone included."""
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    small = Image.new("1", (len(matrix), len(matrix)), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                small.putpixel((x, y), 0)
    scale = max(1, size // len(matrix))
    return small.resize((len(matrix) * scale, len(matrix) * scale), Image.Resampling.NEAREST).convert("RGB")


def paste_logo(image: Image.Image, logo: Path | None) -> bool:
    if logo is None:
        return False
    try:
        with Image.open(logo) as source:
            picture = source.convert("RGBA")
    except (OSError, ValueError) as error:
        log.warning("certificate logo %s not used: %s", logo, error)
        return False
    picture.thumbnail((180, 120))
    image.paste(picture, ((WIDTH - picture.width) // 2, 70), picture)
    return True


def render_certificate(text: CertificateText, logo: Path | None = None) -> bytes:
    """The certificate as PNG bytes (a 64-colour palette: small, sharp text)."""
    if not shaping_available():
        raise ShapingUnavailable("Pillow was built without raqm: install a Pillow wheel with raqm "
                                 "(PIL.features.check('raqm')) to draw Lao, Khmer, Thai and Myanmar correctly")
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, WIDTH - 31, HEIGHT - 31), outline=ACCENT, width=10)
    draw.rectangle((58, 58, WIDTH - 59, HEIGHT - 59), outline=GOLD, width=3)
    top = 250 if paste_logo(image, logo) else 200
    draw_line(draw, text.heading, top, 60, fill=ACCENT, bold=True)
    draw.line(((WIDTH - 360) / 2, top + 60, (WIDTH + 360) / 2, top + 60), fill=GOLD, width=4)
    draw_line(draw, text.intro, top + 135, 32, fill=MUTED)
    draw_line(draw, text.name, top + 250, 84, fill=INK, bold=True, min_size=40)
    draw_line(draw, text.completed, top + 350, 32, fill=MUTED)
    course_size = 56
    if text_width(text.course, course_size, True) > WIDTH - 240 and (halves := split_in_two(text.course)):
        for i, half in enumerate(halves):
            draw_line(draw, half, top + 430 + 66 * i, 48, fill=ACCENT, bold=True, min_size=28)
    else:
        draw_line(draw, text.course, top + 450, course_size, fill=ACCENT, bold=True, min_size=28)
    qr_size = 250
    qr = qr_image(text.url, qr_size)
    qr_left, qr_top = WIDTH - 110 - qr.width, HEIGHT - 100 - qr.height
    image.paste(qr, (qr_left, qr_top))
    left, width = 120, qr_left - 160
    bottom = HEIGHT - 100
    draw_line(draw, text.date, bottom - 170, 30, fill=INK, x=left, max_width=width)
    draw_line(draw, text.issuer, bottom - 120, 30, fill=INK, x=left, max_width=width)
    draw_line(draw, text.code, bottom - 55, 26, fill=MUTED, x=left, max_width=width, min_size=16)
    draw_line(draw, text.url, bottom - 10, 22, fill=MUTED, x=left, max_width=width, min_size=12)
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_BYTES:  # pragma: no cover - a huge logo: JPEG keeps it under the limit
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80, optimize=True)
        data = out.getvalue()
    return data
