"""bot.redact: known secrets and secrets by their shape (sign-in link tokens, console cookies) never logged."""

from __future__ import annotations

import logging

import pytest

from bot.console.auth import COOKIE, PRE_COOKIE
from bot.redact import MASK, protect, redact


@pytest.mark.parametrize("line", [
    '127.0.0.1 "GET /admin/login/Rb3f8EddgqVtnw4Uk-OnHC6_cGL HTTP/1.1" 200',
    '"POST /admin/login/Rb3f8EddgqVtnw4Uk-OnHC6_cGL?from=chat HTTP/1.1" 303',
    "{'text': 'Your sign-in link: https://bot.example/admin/login/Rb3f8EddgqVtnw4Uk-OnHC6_cGL'}",
    f"Cookie: {COOKIE}=Rb3f8EddgqVtnw4Uk-OnHC6_cGL; smce_console_lang=lo",
    f"cookies {{'{COOKIE}': 'Rb3f8EddgqVtnw4Uk-OnHC6_cGL'}}",
    f"Set-Cookie: {PRE_COOKIE}=Rb3f8EddgqVtnw4Uk-OnHC6_cGL; HttpOnly; Path=/admin",
])
def test_link_tokens_and_console_cookies_are_masked_by_their_shape(line: str) -> None:
    cleaned = redact(line)
    assert "Rb3f8EddgqVtnw4Uk-OnHC6_cGL" not in cleaned and MASK in cleaned


def test_what_is_not_a_secret_stays_readable() -> None:
    line = '"GET /admin/learners?page=2 HTTP/1.1" 200 smce_console_lang=lo'
    assert redact(line) == line
    assert redact("GET /admin/login/abc HTTP/1.1").endswith(f"/admin/login/{MASK} HTTP/1.1")


def test_log_records_are_scrubbed_when_made(caplog: pytest.LogCaptureFixture) -> None:
    protect("known-secret-value-42")
    caplog.set_level(logging.INFO)
    logging.getLogger("tests.redact").info("sent %s with %s", "/admin/login/tok3n-tok3n-tok3n", "known-secret-value-42")
    message = caplog.records[-1].getMessage()
    assert "tok3n-tok3n-tok3n" not in message and "known-secret-value-42" not in message
