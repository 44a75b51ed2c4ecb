"""Onboarding's button questions answered by typing (#22 item 4): a button's words or its first word, English
and local names, any case or accents, a close misspelling; "which one?" when two fit; one line and the
buttons again when none does. Through the chat in Lao, Filipino and English, on the terminal, on a
Telegram address (no fuzzy label matching in the engine there) and through the fake Twilio webhook."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from bot.channels.terminal import chat
from bot.i18n import LANGUAGES, Translator
from bot.service import Service
from bot.types import Media
from handlers.choices import CRAFTS, typed_country, typed_craft
from handlers.onboarding import typed_language
from tests.driver import RecordingSender, text_of, user_at
from tests.driver import User as ChatUser
from tests.fakes.whatsapp import WhatsAppUser, number_of

LO, FIL = Translator("lo"), Translator("fil")
NOT_A_CHOICE = "Sorry, that is not one of the choices. Please choose one of these:"


def labels(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.label for r in replies for b in r.flat_buttons]


@pytest.mark.parametrize(("craft", "country"), [("ການທໍ", "ລາວ"), ("ການທ", "ປະເທດລາວ"), ("ຜ້າໄໝ", "lao")])
async def test_lao_weaver_types_craft_and_country(chat_user: Callable[..., ChatUser], service: Service,
                                                  craft: str, country: str) -> None:
    noy = chat_user("terminal:noy", language_hint="lo")
    await noy.say("/start")
    await noy.press(LANGUAGES["lo"].native_name)
    await noy.say("ນ້ອຍ")
    replies = await noy.say(craft)
    shown = text_of(replies)
    assert LO.gettext("Which country do you work in?") in shown
    assert LO.gettext("Thank you, {name}. What is your craft?", name="ນ້ອຍ") not in shown
    replies = await noy.say(country)
    assert LO.gettext("Are you a woman or a man, or do you describe yourself another way?") in text_of(replies)
    await noy.press(LO.gettext("Skip"))
    replies = await noy.press(LO.gettext("Skip"))
    assert LO.gettext("All set, {name}! Take a short course, sell your work in the marketplace, or ask a "
                      "question.", name="ນ້ອຍ") in text_of(replies)
    user = await user_at(service, noy.address)
    assert (user.craft, user.country, user.onboarded, user.sex, user.age_band) == ("weaving", "LA", True, None, None)


@pytest.mark.parametrize(("craft", "country", "code"), [
    ("habi", "pinas", "PH"), ("paghahabi", "Pilipinas", "PH"), ("HABI", "Philippines", "PH"),
    ("tela", "philipines", "PH"), ("Paghahabi", "from the Philippines", "PH"), ("habi", "Viet Nam", "VN"),
])
async def test_filipino_seller_types_on_telegram(service: Service, telegram: RecordingSender, craft: str,
                                                 country: str, code: str) -> None:
    maria = ChatUser(service, telegram, "telegram:5150", language_hint="fil")
    await maria.say("/start")
    replies = await maria.say("tagalog")  # the language typed, not pressed
    assert FIL.gettext("What is your name?") in text_of(replies)
    await maria.say("Maria")
    replies = await maria.say(craft)
    assert FIL.gettext("Which country do you work in?") in text_of(replies)
    await maria.say(country)
    await maria.say("skip")
    replies = await maria.say(FIL.gettext("Skip"))
    assert FIL.gettext("All set, {name}! Take a short course, sell your work in the marketplace, or ask a "
                       "question.", name="Maria") in text_of(replies)
    user = await user_at(service, maria.address)
    assert (user.language, user.craft, user.country) == ("fil", "weaving", code)


@pytest.mark.parametrize("address", ["terminal:ann", "telegram:77"])
async def test_english_answers_and_misspellings(service: Service, recorder: RecordingSender,
                                                telegram: RecordingSender, address: str) -> None:
    ann = ChatUser(service, telegram if address.startswith("telegram") else recorder, address)
    await ann.say("/start")
    replies = await ann.say("Englsh")
    assert "What is your name?" in text_of(replies)
    await ann.say("Ann")
    replies = await ann.say("pottery")
    assert "Which country do you work in?" in text_of(replies)
    replies = await ann.say("Burma")
    assert "Two last questions, both optional" in text_of(replies)
    await ann.say("female")
    replies = await ann.say("Fifty")  # not a choice: said once, the ranges again
    assert [r.text for r in replies] == [NOT_A_CHOICE] and "45 to 54" in labels(replies)
    replies = await ann.say("52")
    assert "All set, Ann!" in text_of(replies)
    user = await user_at(service, address)
    assert (user.language, user.craft, user.country, user.sex, user.age_band) == ("en", "ceramics", "MM", "woman",
                                                                                 "45_54")


@pytest.mark.parametrize("address", ["terminal:bo", "telegram:78"])
async def test_nothing_matches_says_so_once_and_shows_the_buttons(service: Service, recorder: RecordingSender,
                                                                  telegram: RecordingSender, address: str) -> None:
    bo = ChatUser(service, telegram if address.startswith("telegram") else recorder, address)
    await bo.say("/start")
    replies = await bo.say("xyzzy")
    assert [r.text for r in replies] == ["Sorry, that is not one of the choices. Please choose your language:"]
    assert set(labels(replies)) == {language.native_name for language in LANGUAGES.values()}
    await bo.say("english")
    await bo.say("Bo")
    replies = await bo.say("I make kites")
    assert [r.text for r in replies] == [NOT_A_CHOICE]  # one line, no second "Thank you, Bo."
    assert labels(replies) == [Translator("en").gettext(label) for label in CRAFTS.values()]
    replies = await bo.say("/help")
    assert "Thank you" not in text_of(replies) and "What is your craft?" in text_of(replies)
    await bo.say("Other")
    replies = await bo.say("Atlantis")
    assert [r.text for r in replies] == [NOT_A_CHOICE]
    assert "Philippines" in labels(replies)
    assert (await user_at(service, address)).step == "onboarding.country"


async def test_two_equally_close_choices_ask_which(chat_user: Callable[..., ChatUser], service: Service) -> None:
    kim = chat_user("terminal:kim")
    await kim.say("/start")
    replies = await kim.say("bahasa")
    assert [r.text for r in replies] == ["Which one do you mean?"]
    assert labels(replies) == ["Bahasa Indonesia", "Bahasa Melayu"]
    replies = await kim.say("2")
    assert (await user_at(service, kim.address)).language == "ms"
    await kim.say("Kim")
    replies = await kim.say("tenun dan keramik")
    assert labels(replies) == [Translator("ms").gettext("Weaving and textiles"), "Seramik"]
    await kim.press("Seramik")
    replies = await kim.say("Laos atau Thailand")
    assert labels(replies) == ["Laos", "Thailand"]
    await kim.press("Thailand")
    await kim.press("onb:sex:skip")
    await kim.press("onb:age:skip")
    user = await user_at(service, kim.address)
    assert (user.craft, user.country, user.onboarded) == ("ceramics", "TH", True)


async def test_language_buttons_on_screen_take_a_name_not_a_question(chat_user: Callable[..., ChatUser],
                                                                     service: Service) -> None:
    ana = chat_user("terminal:ana")
    await ana.onboard()
    await ana.say("/language")
    await ana.say("thai food prices")  # a question, though it holds a language's name
    assert (await user_at(service, ana.address)).language == "en"
    await ana.say("/language")
    await ana.say("Tieng Viet")
    assert (await user_at(service, ana.address)).language == "vi"


async def test_filipino_journey_through_the_whatsapp_webhook(wa_user: Callable[..., WhatsAppUser],
                                                             wa_service: Service) -> None:
    maria = wa_user("+639171234567", "Maria")
    text = await maria.say("Kumusta")
    text = await maria.say("Filipino")
    assert FIL.gettext("What is your name?") in text
    await maria.say("Maria")
    text = await maria.say("paghahabi")
    assert FIL.gettext("Which country do you work in?") in text
    text = await maria.say("xyz")
    assert FIL.gettext(NOT_A_CHOICE) in text and number_of(text, "Pilipinas")
    assert FIL.gettext("Thank you, {name}. What is your craft?", name="Maria") not in text
    text = await maria.say("pinas")
    assert FIL.gettext("Two last questions, both optional: the answers are used only for anonymous programme "
                       "reports.") in text
    text = await maria.say(number_of(text, FIL.gettext("Prefer not to say")))
    text = await maria.say(number_of(text, FIL.gettext("25 to 34")))
    assert number_of(text, FIL.gettext("Full photos"))  # WhatsApp only: the data saver question; typed "yes"
    text = await maria.say("yes")
    assert FIL.gettext("All set, {name}! Take a short course, sell your work in the marketplace, or ask a "
                       "question.", name="Maria") in text
    user = await user_at(wa_service, maria.address)
    assert (user.language, user.craft, user.country, user.sex, user.age_band) == ("fil", "weaving", "PH",
                                                                                 "undisclosed", "25_34")
    assert user.data_saver


async def test_lao_weaver_in_the_terminal_chat(settings, clock) -> None:
    """The reported session, in `smce-bot chat`: Lao chosen by name, ການທໍ, then ລາວ."""
    service = Service(settings, clock=clock)
    out = io.StringIO()
    lines = ["ລາວ", "ນ້ອຍ", "ການທໍ", "ປະເທດລາວ", "1", LO.gettext("Skip")]  # a woman; no age band given
    await chat(service, address="terminal:noy", stdin=io.StringIO("\n".join(lines) + "\n"), out=out)
    transcript = out.getvalue()
    assert transcript.count(LO.gettext("Thank you, {name}. What is your craft?", name="ນ້ອຍ")) == 1
    assert LO.gettext("Which country do you work in?") in transcript
    assert LO.gettext("All set, {name}! Take a short course, sell your work in the marketplace, or ask a "
                      "question.", name="ນ້ອຍ") in transcript
    user = await user_at(service, "terminal:noy")
    assert (user.language, user.craft, user.country, user.sex, user.age_band) == ("lo", "weaving", "LA", "woman", None)


def test_typed_names_every_language_and_country() -> None:
    """Each button's words in each language, the first word, English and local names pick one choice."""
    for lang in LANGUAGES:
        t = Translator(lang)
        for code, label in CRAFTS.items():
            assert typed_craft(t.gettext(label)) == (code,), (lang, label)
            assert typed_craft(t.gettext(label).split()[0]) in {(code,), ()}, (lang, label)
        assert typed_language(LANGUAGES[lang].native_name) == (lang,)
    for words, code in [("pinas pilipinas Philippines", "PH"), ("lao laos ລາວ", "LA"),
                        ("kampuchea khmer ខ្មែរ Cambodia", "KH"), ("vietnam", "VN"), ("thai thailand ไทย", "TH"),
                        ("indo indonesia", "ID"), ("malaysia", "MY"), ("myanmar burma မြန်မာ", "MM")]:
        for word in words.split():
            assert typed_country(word) == (code,), word
    assert typed_country("viet nam") == ("VN",) and typed_country("Việt Nam") == ("VN",)
    assert typed_craft("weaving") == typed_craft("habi") == typed_craft("ການທໍ") == ("weaving",)
    assert typed_country("Sam") == () and typed_craft("Noy") == () and typed_country("Maria") == ()


async def test_optional_questions_privacy_notice_and_stray_presses(chat_user: Callable[..., ChatUser],
                                                                   service: Service) -> None:
    """Sex and age band come last, both optional (the privacy notice says so); a button of a question not
    asked now, a sticker or /menu asks the current question again; after setup their buttons change nothing."""
    lin = chat_user("terminal:lin")
    await lin.say("/start")
    replies = await lin.press("English")
    assert "Sex and age are optional and used only for anonymous programme reports." in text_of(replies)
    await lin.say("Lin")
    replies = await lin.send(payload="onb:sex:woman")  # not asked yet
    assert "What is your craft?" in text_of(replies)
    await lin.press("Ceramics")
    replies = await lin.press("Laos")
    assert labels(replies) == ["Woman", "Man", "Another identity", "Prefer not to say", "Skip"]
    replies = await lin.send(payload="onb:age:18_24")  # the other question's button
    assert "Are you a woman or a man" in text_of(replies)
    replies = await lin.send(payload="onb:sex:queen")
    assert "Are you a woman or a man" in text_of(replies)
    replies = await lin.say("/menu")
    assert "Are you a woman or a man" in text_of(replies)
    await lin.press("Man")
    replies = await lin.send(media=(Media(kind="sticker", key="s1"),))
    assert "How old are you?" in text_of(replies)
    replies = await lin.press("65 or older")
    assert "All set, Lin!" in text_of(replies)
    await lin.send(payload="onb:sex:woman")  # an old button, after setup
    user = await user_at(service, lin.address)
    assert (user.onboarded, user.sex, user.age_band, user.step) == (True, "man", "65_plus", None)
