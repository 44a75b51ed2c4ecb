"""The FAQ's button payloads keep their wire strings (stored menus and old chat buttons rely on them)."""

from __future__ import annotations

from handlers.faq.actions import (
    ABOUT_ANSWER,
    ABOUT_UNANSWERED,
    ASK,
    BACK,
    CANCEL,
    CLOSE,
    FEEDBACK,
    HUMAN,
    HUMAN_ABOUT,
    NO,
    SHOW,
    TAKE,
    TICKETS,
    YES,
)


def test_wire_strings() -> None:
    assert ASK.encode() == "faq:ask"
    assert CANCEL.encode() == "faq:cancel" and ASK.decode("faq:cancel") is None
    assert HUMAN.encode() == "faq:human"
    assert HUMAN_ABOUT.encode(ABOUT_UNANSWERED, 7) == "faq:human:q:7"
    assert HUMAN_ABOUT.encode(ABOUT_ANSWER, 8) == "faq:human:a:8"
    assert SHOW.encode("ship-cost", 3) == "faq:show:ship-cost:3"
    assert SHOW.decode("faq:show:ship-cost") == ("ship-cost",)
    assert FEEDBACK.encode(5, YES) == "faq:fb:5:y" and FEEDBACK.encode(5, NO) == "faq:fb:5:n"
    assert (BACK.encode(1), TAKE.encode(2), CLOSE.encode(3)) == ("faq:back:1", "faq:take:2", "faq:close:3")
    assert TICKETS.encode() == "faq:tickets"


def test_bare_and_argument_forms_are_told_apart() -> None:
    assert HUMAN.decode("faq:human:q:7") is None and HUMAN_ABOUT.decode("faq:human") is None
    assert TAKE.decode("faq:take:x") is None and FEEDBACK.decode("faq:fb:x:y") is None
