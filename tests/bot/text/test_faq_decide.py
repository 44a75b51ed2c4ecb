"""The FAQ decision (bot/text/faq_decide.py): answer, "did you mean" or none, from scored candidates."""

from __future__ import annotations

from dataclasses import replace

from bot.text.faq_decide import Candidate, MatchConfig, decide


def test_decide_grey_zone_offers_the_close_ones() -> None:
    cfg = MatchConfig(answer_at=0.6, grey_at=0.3, margin=0.05, choice_window=0.15)
    found = [Candidate("a", 0.5, "en", "A?"), Candidate("b", 0.45, "en", "B?"), Candidate("c", 0.2, "en", "C?")]
    match = decide(found, cfg)
    assert match.outcome == "choices" and [c.entry_id for c in match.candidates] == ["a", "b"]
    # Confident, but the runner-up is too close: ask rather than guess.
    close = [Candidate("a", 0.7, "en", "A?"), Candidate("b", 0.68, "en", "B?")]
    assert decide(close, cfg).outcome == "choices"
    assert decide([Candidate("a", 0.7, "en", "A?")], cfg).outcome == "answer"
    assert decide([Candidate("a", 0.1, "en", "A?")], cfg).outcome == "none"
    assert decide([], cfg).outcome == "none"


def test_decide_offers_rather_than_answers_a_thin_match() -> None:
    # With an answer coverage: a clear winner that covers little of the question is offered, not answered.
    cfg = MatchConfig(answer_at=0.2, grey_at=0.1, answer_coverage=0.25)
    thin = [Candidate("a", 0.3, "en", "A?", coverage=cfg.answer_coverage / 2), Candidate("b", 0.1, "en", "B?")]
    match = decide(thin, cfg)
    assert match.outcome == "choices" and match.candidates[0].entry_id == "a"
    covered = [replace(thin[0], coverage=cfg.answer_coverage), thin[1]]
    assert decide(covered, cfg).outcome == "answer"
    # Low score with full coverage: offered too.
    low = [Candidate("a", (cfg.answer_at + cfg.grey_at) / 2, "en", "A?"), Candidate("b", 0.01, "en", "B?")]
    assert decide(low, cfg).outcome == "choices"


def test_relative_margin_asks_when_the_runner_up_is_close() -> None:
    cfg = MatchConfig(answer_at=0.1, grey_at=0.1, margin=0.0, relative_margin=0.25)
    assert decide([Candidate("a", 0.2, "en", "A?"), Candidate("b", 0.16, "en", "B?")], cfg).outcome == "choices"
    assert decide([Candidate("a", 0.2, "en", "A?"), Candidate("b", 0.1, "en", "B?")], cfg).outcome == "answer"
