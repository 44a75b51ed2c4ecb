"""A small bar chart of a poll's results as a PNG: Pillow with the certificates' Noto fonts and their
script runs (``bot.certificates.render``), so labels in any of the nine languages' scripts are shaped."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.certificates.render import font, runs, text_width

WIDTH = 800
PAD = 24
BAR_HEIGHT = 26
ROW = 58
TITLE_SIZE, LABEL_SIZE = 22, 17
PAPER, INK, BAR, TRACK, MUTED = "#FBF7EE", "#1E2A30", "#1F4E5A", "#E4DED0", "#5B6770"


@dataclass(frozen=True)
class Bars:
    """One question: its text, and (label, count) per choice; ``total``: the people who answered it."""

    title: str
    bars: list[tuple[str, int]]
    total: int


def fit(text: str, size: int, width: float, bold: bool = False) -> str:
    """The text, cut with an ellipsis until it fits ``width`` pixels."""
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text + "…", size, bold) > width:
        text = text[:-1]
    return text + "…"


def draw_text(draw: ImageDraw.ImageDraw, text: str, x: float, baseline: int, size: int, fill: str,
              bold: bool = False) -> None:
    for family, piece in runs(text):
        face = font(family, size, bold)
        draw.text((x, baseline), piece, font=face, fill=fill, anchor="ls")
        x += face.getlength(piece)


def percent(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def render_chart(questions: list[Bars], footer: str = "") -> bytes:
    """The PNG: per question its title, then per choice the label, a bar and "count · percent"."""
    height = PAD + sum(40 + ROW * len(q.bars) + 16 for q in questions) + (34 if footer else 0) + PAD
    image = Image.new("RGB", (WIDTH, max(height, 120)), PAPER)
    draw = ImageDraw.Draw(image)
    y = PAD
    inner = WIDTH - 2 * PAD
    for q in questions:
        draw_text(draw, fit(q.title, TITLE_SIZE, inner, True), PAD, y + 26, TITLE_SIZE, INK, True)
        y += 40
        top = max((n for _, n in q.bars), default=0)
        for label, n in q.bars:
            draw_text(draw, fit(label, LABEL_SIZE, inner - 150), PAD, y + 20, LABEL_SIZE, INK)
            figure = f"{n} · {percent(n, q.total)}%"
            draw_text(draw, figure, WIDTH - PAD - text_width(figure, LABEL_SIZE, False), y + 20, LABEL_SIZE, MUTED)
            draw.rectangle((PAD, y + 27, PAD + inner, y + 27 + BAR_HEIGHT - 8), fill=TRACK)
            if top and n:
                draw.rectangle((PAD, y + 27, PAD + max(4, inner * n // top), y + 27 + BAR_HEIGHT - 8), fill=BAR)
            y += ROW
        y += 16
    if footer:
        draw_text(draw, fit(footer, LABEL_SIZE, inner), PAD, y + 22, LABEL_SIZE, MUTED)
    out = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(out, format="PNG", optimize=True)
    return out.getvalue()
