"""The button-payload codec: round trips, typed arguments, and hostile payloads that are simply not a match."""

from __future__ import annotations

import pytest

from bot.payloads import Action, PayloadError

CONTACT = Action("market:contact", int)
PAGE = Action("market:page", str, int, optional_last=True)
HOME = Action("menu:home")


def test_round_trip() -> None:
    assert CONTACT.encode(42) == "market:contact:42"
    assert CONTACT.decode("market:contact:42") == (42,)
    assert PAGE.decode(PAGE.encode("cat", 3)) == ("cat", 3)
    assert PAGE.decode(PAGE.encode("cat")) == ("cat",)
    assert HOME.decode(HOME.encode()) == ()


@pytest.mark.parametrize("payload", [None, "", "market", "market:contact", "market:contact:x", "market:contact:1:2",
                                     "market:contact:99999999999999999999999", "market:contactx:1",
                                     "market:contact:١٢", "market:contact:"])
def test_hostile_payloads_are_not_a_match(payload: str | None) -> None:
    assert CONTACT.decode(payload) is None


def test_prefix_is_not_confused_with_a_longer_name() -> None:
    assert HOME.decode("menu:homework") is None
    assert Action("a:b", str).decode("a:b:c") == ("c",)


def test_encode_refuses_what_would_not_decode() -> None:
    with pytest.raises(PayloadError):
        Action("x", str).encode("a:b")
    with pytest.raises(PayloadError):
        Action("x", str).encode("é" * 40)
    with pytest.raises(PayloadError):
        CONTACT.encode()
