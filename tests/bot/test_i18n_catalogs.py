"""Catalogs: complete, placeholders intact, .mo compiled from the .po, plural forms right; and the wiring."""

from __future__ import annotations

import gettext
import io
import re

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract

from bot.i18n import LANGUAGES, Translator
from bot.i18n_tools import catalogs as tools
from bot.text.digits import ascii_digits

TRANSLATED = tools.TRANSLATED

# Same as English on purpose: words these languages borrowed, product names, abbreviations.
SAME_AS_ENGLISH = {
    ("id", "menu"), ("ms", "menu"), ("fil", "menu"),
    ("fil", "Metal at alahas"),
    # "Bot" and "Admin" are the words used in these languages too
    *((lang, word) for lang in ("vi", "id", "ms", "fil") for word in ("Bot", "Admin")),
    *((lang, unit) for lang in ("lo", "km", "vi", "th", "id", "ms", "my", "fil")
      for unit in ("{size} KB", "{size} MB")),  # units everyone reads
    # English words Filipino uses as they are
    *(("fil", word) for word in ("Address", "Code", "code {code}", "Inbox", "Trainer", "Workshop", "Command line")),
}
# Scripts a translation must use (a Lao catalog entry with no Lao letter is English left behind).
SCRIPTS = {"lo": (0x0E80, 0x0EFF), "km": (0x1780, 0x17FF), "th": (0x0E00, 0x0E7F), "my": (0x1000, 0x109F)}


@pytest.fixture(scope="module")
def template():
    return tools.extract_template()


@pytest.fixture(scope="module")
def catalogs():
    return {lang: tools.read_catalog(lang) for lang in TRANSLATED}


def test_babel_extracts_attribute_calls_and_marked_constants():
    source = b'''
ctx._("Hello {name}", name=x)
ctx.ngettext("{n} lesson", "{n} lessons", n)
t.gettext("From a translator")
self.deps.t.gettext("Deep attribute")
MENU = N_("Marked for later")
ctx.pgettext("ctx", "not one of our keywords")
'''
    found = [m for _, m, _, _ in extract("python", io.BytesIO(source), keywords=tools.KEYWORDS)]
    assert found == ["Hello {name}", ("{n} lesson", "{n} lessons"), "From a translator", "Deep attribute",
                     "Marked for later"]


def test_template_has_the_strings_of_every_feature(template):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert "Welcome! Please choose your language." in ids  # onboarding
    assert "{n} short lesson" in ids  # lessons (plural)
    assert "Language" in ids  # a menu label marked with N_
    assert "Weaving and textiles" in ids  # a constant in handlers/choices.py
    assert len(ids) > 100
    assert not any(path.startswith("tests") for m in template for path, _ in m.locations)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_has_every_string_of_the_sources(lang, template):
    """Fails when someone adds a string: run `smce-bot i18n update`, translate (`todo`/`fill`), compile."""
    result = tools.check([lang], template)[0]
    assert result.missing == [], f"{lang}: {len(result.missing)} untranslated, e.g. {result.missing[:3]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_broken_placeholders(lang, catalogs):
    problems = [p for m in catalogs[lang] if m.id and not m.fuzzy for p in tools.placeholder_problems(m)]
    assert problems == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_mo_is_compiled_from_the_current_po(lang, catalogs):
    catalog = catalogs[lang]
    assert tools.mo_is_current(lang, catalog), "stale .mo: run `smce-bot i18n compile`"
    # And the check notices a change to the .po that was not compiled.
    changed = next(m for m in catalog if m.id and isinstance(m.id, str) and m.string)
    original = changed.string
    changed.string = original + "!"
    try:
        assert not tools.mo_is_current(lang, catalog)
    finally:
        changed.string = original


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_header(lang, catalogs):
    catalog = catalogs[lang]
    header = dict(catalog.mime_headers)["Plural-Forms"]
    assert header.replace(" ", "") == tools.PLURAL_FORMS[lang].replace(" ", "")
    expected = 2 if lang == "fil" else 1
    assert catalog.num_plurals == expected
    for message in catalog:
        if message.id and message.pluralizable and message.string and any(message.string):
            assert len(message.string) == expected, message.id


def test_plural_forms_at_runtime():
    with tools.mo_path("fil").open("rb") as fp:
        fil = gettext.GNUTranslations(fp)
    # CLDR: Filipino "one" is 1, 2, 3 and numbers not ending in 4, 6, 9.
    assert [fil.plural(n) for n in (1, 2, 3, 4, 5, 6, 9, 10, 14, 21)] == [0, 0, 0, 1, 0, 1, 1, 0, 1, 0]
    with tools.mo_path("lo").open("rb") as fp:
        lo = gettext.GNUTranslations(fp)
    assert {lo.plural(n) for n in range(30)} == {0}
    t = Translator("km")
    assert t.ngettext("{n} short lesson", "{n} short lessons", 1) == t.ngettext(
        "{n} short lesson", "{n} short lessons", 5).replace("5", "1")
    assert "1,234" in Translator("en").ngettext("{n} short lesson", "{n} short lessons", 1234)


NAMES = re.compile(r"\{[^}]*\}|/\w+|https?://\S+|WhatsApp|Telegram|FAQ|JPEG|PNG|WebP|MB|START|STOP|link")


def _letters(text: str) -> str:
    """What is left to translate once placeholders, commands, links and proper names are removed."""
    return "".join(c for c in NAMES.sub("", text) if c.isalpha())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_left(lang, catalogs):
    leftovers = []
    for message in catalogs[lang]:
        if not message.id or not message.string:
            continue
        ids = tools._ids(message)
        if not any(_letters(i) for i in ids):
            continue  # nothing but names and placeholders, e.g. "Telegram @{username}"
        for text in tools._strings(message):
            if (lang, text) in SAME_AS_ENGLISH:
                continue
            if text in ids:
                leftovers.append(text)
            elif lang in SCRIPTS:
                # A Lao/Khmer/Thai/Burmese translation with no letter of its own script is English left behind.
                low, high = SCRIPTS[lang]
                if not any(low <= ord(c) <= high for c in _letters(text)):
                    leftovers.append(text)
    assert leftovers == []


def test_placeholder_problems_are_caught():
    ok = Message("Hello {name}", "ສະບາຍດີ {name}")
    assert tools.placeholder_problems(ok) == []
    assert tools.placeholder_problems(Message("Hello {name}", "ສະບາຍດີ")) != []  # dropped
    assert tools.placeholder_problems(Message("Hello {name}", "ສະບາຍດີ {nom}")) != []  # renamed
    assert tools.placeholder_problems(Message("Hello {name}", "ສະບາຍດີ {name")) != []  # broken brace
    assert tools.placeholder_problems(Message("Hello {name}", "ສະບາຍດີ {}")) != []  # positional
    plural = Message(("{n} lesson", "{n} lessons"), ("{n} ບົດ",))
    assert tools.placeholder_problems(plural) == []
    assert tools.placeholder_problems(Message(("{n} lesson", "{n} lessons"), ("ບົດ",))) != []


def test_fill_refuses_a_broken_translation(monkeypatch, tmp_path):
    """``fill`` writes nothing for an entry whose placeholders are wrong, and says why."""
    monkeypatch.setattr(tools, "LOCALE_DIR", tmp_path)
    (tmp_path / "lo" / "LC_MESSAGES").mkdir(parents=True)
    template = tools.extract_template()
    monkeypatch.setattr(tools, "extract", lambda root=tools.ROOT: template)
    tools.update(["lo"], template)
    problems = tools.fill({"lo": {"Welcome back, {name}!": "ຍິນດີຕ້ອນຮັບ!", "What is your name?": "ທ່ານຊື່ຫຍັງ?"}})
    assert len(problems) == 1 and "Welcome back" in problems[0]
    catalog = tools.read_catalog("lo")
    assert catalog.get("What is your name?").string == "ທ່ານຊື່ຫຍັງ?"
    assert not catalog.get("Welcome back, {name}!").string


def test_translator_uses_the_catalogs():
    assert Translator("lo").gettext("What is your name?") == "ທ່ານຊື່ຫຍັງ?"
    assert Translator("km").gettext("Welcome back, {name}!", name="Sokha") == "សូមស្វាគមន៍ការត្រឡប់មកវិញ Sokha!"
    assert Translator("en").gettext("Welcome back, {name}!", name="Ana") == "Welcome back, Ana!"
    assert Translator("xx").language == "en"
    for code in LANGUAGES:
        assert Translator(code).gettext("What is your name?")


# --- formats ---------------------------------------------------------------------------------------------

SYMBOLS = {"lo": ("LAK", "₭"), "km": ("KHR", "៛"), "vi": ("VND", "₫"), "th": ("THB", "฿"), "id": ("IDR", "Rp"),
           "ms": ("MYR", "RM"), "my": ("MMK", "K"), "fil": ("PHP", "₱")}


@pytest.mark.parametrize("lang", list(SYMBOLS))
def test_prices_show_the_local_symbol_everywhere(lang):
    currency, symbol = SYMBOLS[lang]
    for reader in LANGUAGES:
        text = ascii_digits(Translator(reader).price(150000, currency))  # Burmese shows ၁၅၀,၀၀၀
        assert symbol in text and currency not in text, (reader, text)
        assert "150" in text and not re.search(r"[.,]00(?!\d)", text), text  # whole prices without cents
    assert ascii_digits(Translator(lang).price(12.5, "USD")).count("12") == 1


def test_price_and_number_formats_follow_the_locale():
    assert Translator("lo").price(150000, "LAK") == "₭150.000"
    assert Translator("vi").price(250000, "VND") == "250.000\xa0₫"
    assert Translator("km").price(40000, "KHR") == "40,000៛"
    assert Translator("en").price(150000, "LAK") == "₭150,000"
    assert Translator("ms").price(45.5, "MYR") == "RM45.50"
    assert Translator("id").number(1234567) == "1.234.567"
    assert Translator("th").number(1234567) == "1,234,567"
    # CLDR's default numbering system: Myanmar digits for Burmese, 0-9 for the others (Lao, Khmer, Thai too)
    assert Translator("my").number(1234567) == "၁,၂၃၄,၅၆၇"
    assert Translator("my").price(150000, "MMK") == "၁၅၀,၀၀၀\xa0K"


def test_datetimes_in_the_users_zone_and_locale():
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert Translator("lo").datetime(moment) == "5 ມ.ກ. 2026, 16:00"  # Vientiane is UTC+7
    assert "၁၅:၃၀" in Translator("my").datetime(moment)  # Yangon is UTC+6:30, in Myanmar digits
    assert "17:00" in Translator("lo", "Asia/Manila").datetime(moment)  # the user's own zone wins
    assert "16:00" in Translator("vi").datetime(moment.replace(tzinfo=None))  # naive = stored UTC
    assert "ມ.ກ." in Translator("lo").datetime(moment, "short") or "/" in Translator("lo").datetime(moment, "short")


# --- CLI -------------------------------------------------------------------------------------------------


def test_cli_report_and_check(capsys, tmp_path):
    from bot.cli import main

    out = tmp_path / "coverage.md"
    assert main(["i18n", "report", "--markdown", "--write", str(out)]) == 0
    printed = capsys.readouterr().out
    table = out.read_text(encoding="utf-8")
    assert printed.strip() == table.strip()
    assert table.startswith("| Language | Code | UI strings | Content texts |")
    for code, language in LANGUAGES.items():
        assert f"| {language.native_name} | {code} |" in table
    row = next(line for line in table.splitlines() if "| lo |" in line)
    ui, content = row.split("|")[3:5]
    assert re.fullmatch(r" \d+/\d+ \(\d+%\) ", ui) and re.fullmatch(r" \d+/\d+ \(\d+%\) ", content)

    assert main(["i18n", "report"]) == 0
    assert "ພາສາລາວ" in capsys.readouterr().out
    assert main(["i18n", "todo", "--lang", "km"]) == 0
    listed = capsys.readouterr().out
    assert "== km:" in listed or "nothing to translate" in listed


def test_a_changed_msgid_becomes_fuzzy_and_counts_as_missing(monkeypatch, tmp_path):
    from babel.messages.catalog import Catalog

    monkeypatch.setattr(tools, "LOCALE_DIR", tmp_path)
    (tmp_path / "lo" / "LC_MESSAGES").mkdir(parents=True)
    old = Catalog()
    old.add("What is your name?")
    tools.update(["lo"], old)
    assert tools.fill({"lo": {"What is your name?": "ທ່ານຊື່ຫຍັງ?"}}) == []
    new = Catalog()
    new.add("What is your name, please?")
    tools.update(["lo"], new)
    assert tools.todo(["lo"]) == {"lo": {"What is your name, please?": ""}}
    assert tools.fuzzy_hints("lo") == {"What is your name, please?": "ທ່ານຊື່ຫຍັງ?"}
    tools.compile_catalogs(["lo"])
    assert tools.check(["lo"], new)[0].missing == ["What is your name, please?"]
    assert tools.fill({"lo": {"What is your name, please?": "ກະລຸນາບອກຊື່ຂອງທ່ານ?"}}) == []
    tools.compile_catalogs(["lo"])
    result = tools.check(["lo"], new)[0]
    assert result.ok, result
