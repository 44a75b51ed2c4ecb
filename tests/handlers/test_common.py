"""Commands that always work: /help (and "help") lists what people can do, STOP / START in their words."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.i18n import Translator
from bot.service import Service
from handlers.subscription import LOCAL_START, LOCAL_STOP
from tests.driver import RecordingSender, text_of
from tests.driver import User as ChatUser


@pytest.mark.parametrize(("address", "word"), [("terminal:ana", "/help"), ("telegram:31", "help")])
async def test_help_names_every_command_and_stop_start(service: Service, recorder: RecordingSender, address: str,
                                                       word: str) -> None:
    sender = recorder
    if address.startswith("telegram"):
        sender = RecordingSender(channel="telegram")
        service.outbox.add_sender(sender)
    ana = ChatUser(service, sender, address)
    await ana.onboard()
    shown = text_of(await ana.say(word))
    for command in ("/menu", "/progress", "/review", "/certificates", "/search", "/reminders", "/link", "/language",
                    "/mydata", "/forget", "STOP", "START"):
        assert command in shown, command


async def test_help_lists_the_data_rights_certificates_and_review_commands(chat_user: Callable[..., ChatUser]) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard()
    shown = text_of(await ana.say("/help"))
    listed = {line.split()[0] for line in shown.splitlines() if line.startswith("/")}
    assert {"/mydata", "/forget", "/certificates", "/review"} <= listed
    for command in ("mydata", "forget", "certificates", "review"):  # and each one answers
        assert text_of(await ana.say(f"/{command}")), command


@pytest.mark.parametrize("language", ["lo", "km", "fil", "vi", "th", "id", "ms", "my"])
async def test_help_shows_the_local_stop_and_start_words(chat_user: Callable[..., ChatUser], language: str) -> None:
    noy = chat_user(f"terminal:{language}", language_hint=language)
    await noy.onboard(language=language)
    replies = await noy.say("/help")
    shown = text_of(replies)
    assert f"STOP / {LOCAL_STOP[language]}" in shown and f"START / {LOCAL_START[language]}" in shown
    assert "/search" in shown and "/reminders" in shown and "/link" in shown
    assert all(command in shown for command in ("/mydata", "/forget", "/certificates", "/review"))
    t = Translator(language)
    assert text_of(await noy.say(t.gettext("help"))) == shown  # the word "help" in the language too


async def test_help_during_onboarding_asks_again_without_thanking_again(chat_user: Callable[..., ChatUser]) -> None:
    ana = chat_user()
    await ana.say("/start")
    await ana.say("English")
    await ana.say("Ana")
    replies = await ana.say("help")
    assert "/search" in text_of(replies) and "STOP - no more announcements" in text_of(replies)
    assert replies[-1].text == "What is your craft?" and replies[-1].buttons
