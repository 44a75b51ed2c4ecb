"""Hostile text for the console's pages: markup that would run if not escaped, and characters that turn
text right to left or hide in it. The page tests send these through chat and check the HTML with
``assert_escaped``."""

from __future__ import annotations

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RTL = "\u202eevil\u200bname"
TITLE = SCRIPT + IMG + RTL  # 67 characters: a listing's name may have 80
NAME = SCRIPT + RTL  # a person's name may have 60
QUESTION = "How do I ship? " + SCRIPT + IMG + RTL


def assert_escaped(body: str, where: str = "", *, img: bool = True) -> None:
    """No hostile markup came through as markup, it is shown escaped, and every right-to-left override sits
    inside a ``<bdi>`` (so it cannot turn the rest of the page around)."""
    assert "<script" not in body and "<img src=x" not in body, where
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, where
    if img:
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in body, where
    at = body.find("\u202e")
    assert at >= 0, where
    while at >= 0:
        assert body.rfind("<bdi", 0, at) > body.rfind("</bdi>", 0, at), f"{where}: U+202E outside <bdi>"
        at = body.find("\u202e", at + 1)
