"""Choosing the language: Telegram's language_code and a phone's country code are hints, never traps."""

from __future__ import annotations

from bot.i18n import LANGUAGES, Translator, normalise_language
from bot.text.digits import ascii_digits
from tests.driver import RecordingSender, User, text_of


def first_labels(replies, n=1):
    return [b.label for r in replies for b in r.flat_buttons][:n]


async def test_telegram_language_code_is_a_hint(chat_user):
    noy = chat_user("terminal:noy", language_hint="lo-LA")
    replies = await noy.say("ສະບາຍດີ")
    assert "ຍິນດີຕ້ອນຮັບ! ກະລຸນາເລືອກພາສາຂອງທ່ານ." in text_of(replies)
    assert first_labels(replies) == ["ພາສາລາວ"]
    # Every language is still offered, in its own script.
    offered = {b.label for r in replies for b in r.flat_buttons}
    assert offered == {"English", "ພາສາລາວ", "ភាសាខ្មែរ", "Tiếng Việt", "ภาษาไทย", "Bahasa Indonesia",
                       "Bahasa Melayu", "မြန်မာဘာသာ", "Filipino"}


async def test_a_wrong_hint_is_not_a_trap(chat_user):
    lan = chat_user("terminal:lan", language_hint="th")
    replies = await lan.say("/start")
    assert first_labels(replies) == ["ภาษาไทย"]
    replies = await lan.press("Tiếng Việt")
    assert "Bạn tên là gì?" in text_of(replies)
    replies = await lan.say("Lan")
    assert "Cảm ơn Lan. Nghề thủ công của bạn là gì?" in text_of(replies)


async def test_unknown_or_missing_hint_falls_back_to_english(chat_user):
    for hint in ("zh-hans", None):
        user = chat_user(f"terminal:{hint}", language_hint=hint)
        replies = await user.say("/start")
        assert "Welcome! Please choose your language." in text_of(replies)
        assert first_labels(replies) == ["English"]


async def test_whatsapp_country_code_hints_language_and_country(service):
    from bot.channels.whatsapp import phone_hint

    sender = RecordingSender(channel="whatsapp")
    service.outbox.add_sender(sender)
    address = "whatsapp:+85512345678"
    country, language = phone_hint(address)
    assert (country, language) == ("KH", "km")
    sokha = User(service, sender, address, language_hint=language)
    replies = await sokha.send("hello", meta={"country_hint": country})
    assert first_labels(replies) == ["ភាសាខ្មែរ"]
    await sokha.press("lang:en")  # reads English better: the hint does not hold them
    await sokha.say("Sokha")
    replies = await sokha.press("onb:craft:ceramics")
    assert "Which country do you work in?" in text_of(replies)
    assert first_labels(replies) == ["Cambodia"]  # the phone's country first, every country offered
    assert len([b for r in replies for b in r.flat_buttons]) >= 10


async def test_language_can_change_any_time(chat_user):
    noy = chat_user("terminal:noy2")
    await noy.onboard(name="Noy", language="lo")
    replies = await noy.say("/language")
    assert "ເລືອກພາສາຂອງທ່ານ." in text_of(replies)
    assert first_labels(replies) == ["English"]  # a fixed order: numbers do not move with the current one
    replies = await noy.press("ភាសាខ្មែរ")
    assert "បានប្ដូរភាសាទៅ ភាសាខ្មែរ។" in text_of(replies)
    labels = [b.label for r in replies for b in r.flat_buttons]
    assert Translator("km").gettext("Courses") in labels and Translator("km").gettext("Language") in labels
    replies = await noy.press("menu:language")  # also from the menu
    replies = await noy.press("English")
    assert "Language changed to English." in text_of(replies)


async def test_typed_text_is_normalised(chat_user):
    user = chat_user("terminal:nfc")
    await user.say("/start")
    await user.press("lang:vi")
    replies = await user.say("Nguye\u0302\u0303n")  # decomposed, as some keyboards send it
    assert "Cảm ơn Nguyễn." in text_of(replies)


def test_normalise_language():
    assert normalise_language("lo-LA") == "lo"
    assert normalise_language("km_KH") == "km"
    assert normalise_language("tl") == "fil"
    assert normalise_language("my") == "my"
    assert normalise_language("zh-hans") is None
    assert normalise_language(None) is None
    assert set(LANGUAGES) == {"en", "lo", "km", "vi", "th", "id", "ms", "my", "fil"}


def test_one_medium_date_format_per_language():
    """#22 item 8: every date is the locale's medium date with the time; "short" (numeric) is gone."""
    import re
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 7, 0, 32, tzinfo=UTC)
    expected = {"en": "Dec 7, 2026, 8:32\u202fAM", "lo": "7 ທ.ວ. 2026, 7:32", "km": "7 ធ្នូ 2026, 7:32 AM",
                "vi": "07:32 7 thg 12, 2026", "fil": "Dis 7, 2026, 8:32\u202fAM"}
    for code in LANGUAGES:
        t = Translator(code)
        shown = ascii_digits(t.datetime(moment))  # Burmese shows Myanmar digits (၂၀၂၆)
        assert ascii_digits(t.datetime(moment, "short")) == shown  # an old caller's "short" gets the same
        assert not re.search(r"\d{1,4}[/.]\d{1,2}[/.]\d{2,4}", shown), (code, shown)
        assert "2026" in shown and "7" in shown, (code, shown)
        if code in expected:
            assert shown == expected[code]
