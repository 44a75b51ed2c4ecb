"""The results chart: a PNG with Lao and Burmese labels drawn with the bundled Noto fonts."""

from __future__ import annotations

import io

from PIL import Image

from handlers.polls.chart import Bars, fit, percent, render_chart


def test_chart_renders_lao_and_burmese_labels() -> None:
    png = render_chart([Bars("ງານວາງສະແດງໃດ?", [("ວຽງຈັນ", 3), ("ຫຼວງພະບາງ", 1)], 4),
                        Bars("ဘယ်ပွဲတော်လဲ", [("ရန်ကုန်", 2), ("မန္တလေး", 0)], 2)], "Poll #1")
    assert png.startswith(b"\x89PNG") and 1000 < len(png) < 200_000
    image = Image.open(io.BytesIO(png))
    assert image.width == 800 and image.height > 200
    # Something was drawn in the bar colour and glyphs in the ink colour (not a blank page).
    colours = {c for _, c in image.convert("RGB").getcolors(maxcolors=100_000) or []}
    assert (0x1F, 0x4E, 0x5A) in colours and len(colours) > 5


def test_empty_bars_and_long_labels() -> None:
    assert percent(0, 0) == 0 and percent(1, 3) == 33
    assert fit("word " * 200, 17, 300).endswith("…")
    assert render_chart([Bars("Nobody yet", [("A", 0), ("B", 0)], 0)]).startswith(b"\x89PNG")
