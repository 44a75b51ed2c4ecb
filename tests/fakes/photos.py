"""Pictures for tests and benches: a photo-like JPEG (smooth colour, some grain) of a chosen size."""

from __future__ import annotations

import io

from PIL import Image, ImageFilter


def photo(width: int = 1600, height: int = 1200, *, grain: float = 40.0, quality: int = 90) -> bytes:
    """A JPEG like a phone's photo: gradients and blurred shapes with sensor-like grain (hundreds of KB)."""
    base = Image.merge("RGB", [Image.linear_gradient("L").rotate(angle).resize((width, height))
                               for angle in (0, 90, 180)])
    shapes = Image.effect_noise((width // 16, height // 16), 90).resize((width, height)).convert("RGB")
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    grainy = Image.effect_noise((width, height), grain).convert("RGB")
    picture = Image.blend(Image.blend(base, shapes, 0.5), grainy, 0.15)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()
