"""Long questions by their parts (bot/text/faq_parts.py): how a message is cut, and what its parts may offer."""

from __future__ import annotations

from bot.text.faq_decide import Candidate, Match, MatchConfig
from bot.text.faq_parts import decide_parts, split_parts

CFG = MatchConfig()


def answer(entry: str, score: float = 0.5, in_scope: bool = True) -> Match:
    return Match("answer", (Candidate(entry, score, "en", entry, in_scope=in_scope),))


def test_short_questions_have_no_parts() -> None:
    assert split_parts("How do I set a price?", 8) == []
    assert split_parts("one two three four five six seven eight", 8) == []  # long, but one part


def test_long_messages_are_cut_at_sentences_clauses_and_joining_words() -> None:
    parts = split_parts("I want to sell my scarves online but I do not know the price. Also the photos?", 8)
    assert parts == ["I want to sell my scarves online", "I do not know the price", "the photos"]  # "also" joins
    assert split_parts("ខ្ញុំចង់លក់ក្រមាតាមអនឡាញ។ តើកំណត់តម្លៃយ៉ាងម៉េច", 4) == [
        "ខ្ញុំចង់លក់ក្រមាតាមអនឡាញ", "តើកំណត់តម្លៃយ៉ាងម៉េច"]
    windows = split_parts(" ".join(f"w{i}" for i in range(15)), 8)  # one long clause: overlapping windows
    assert windows[0] == "w0 w1 w2 w3 w4 w5" and windows[1].startswith("w3 ")


def test_parts_offer_choices_never_an_answer() -> None:
    none = Match("none", ())
    got = decide_parts(none, [answer("sell-online"), answer("set-price", 0.3), none], CFG)
    assert got.outcome == "choices" and [c.entry_id for c in got.candidates] == ["sell-online", "set-price"]
    # One clause matching while the whole does not is not enough ("tax ... on my salary from the hotel").
    assert decide_parts(none, [answer("tax-basics"), none], CFG) == none
    # Out-of-scope examples are never offered; the whole question's own choices come first.
    assert decide_parts(none, [answer("oos-gold", in_scope=False), answer("set-price")], CFG) == none
    whole = Match("choices", (Candidate("price-wholesale", 0.15, "en", "x"),))
    got = decide_parts(whole, [answer("packaging")], CFG)
    assert [c.entry_id for c in got.candidates] == ["price-wholesale", "packaging"]
    assert decide_parts(answer("x"), [answer("y")], CFG) == answer("x")
