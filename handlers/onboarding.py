"""First contact: language, a one-line privacy notice, name, craft, country.

During onboarding the language buttons put the hinted language (Telegram's language_code, a phone's country
code) first, but every language is always offered: a hint, never a trap. ``/language`` changes it any time,
with the languages in a fixed order (so their numbers never move). Typing a language's name ("lao", "ខ្មែរ",
"tiếng việt") while the language buttons are on screen chooses it too.

Payloads: ``lang:<code>`` (a language, also from ``/language``), ``onb:craft:<code>``, ``onb:country:<code>``.
"""

from __future__ import annotations

from enum import StrEnum

from bot.context import Context
from bot.i18n import LANGUAGES, normalise_language
from bot.payloads import Action
from bot.router import NotOnboarded, Router
from bot.text.normalise import normalise_text
from bot.types import Button, rows
from handlers.choices import COUNTRIES, COUNTRY_LANGUAGE, COUNTRY_TIMEZONE, CRAFTS, country_name, craft_name
from handlers.menu import show_menu

router = Router("onboarding")

NAME_MAX = 60

# The argument is optional so that a bare "lang" or "onb:craft" asks again, as a wrong code does.
LANG = Action("lang", str, optional_last=True)
CRAFT = Action("onb:craft", str, optional_last=True)
COUNTRY = Action("onb:country", str, optional_last=True)


class Onboarding(StrEnum):
    LANGUAGE = "onboarding.language"
    NAME = "onboarding.name"
    CRAFT = "onboarding.craft"
    COUNTRY = "onboarding.country"


# What people type for a language (casefolded, NFC), besides its own name in LANGUAGES.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("english", "eng", "inglés", "anglais"),
    "lo": ("lao", "laos", "laotian", "ລາວ", "ພາສາລາວ", "ພາສາ ລາວ"),
    "km": ("khmer", "cambodian", "ខ្មែរ", "ភាសាខ្មែរ", "ភាសា ខ្មែរ"),
    "vi": ("vietnamese", "tiếng việt", "tieng viet", "việt", "viet", "việt nam", "vietnam"),
    "th": ("thai", "ไทย", "ภาษาไทย", "ภาษา ไทย"),
    "id": ("indonesia", "indonesian", "bahasa indonesia", "bahasa"),
    "ms": ("melayu", "malay", "bahasa melayu", "bahasa malaysia", "malaysian"),
    "my": ("burmese", "myanmar", "မြန်မာ", "မြန်မာဘာသာ", "မြန်မာစာ", "ဗမာ"),
    "fil": ("filipino", "tagalog", "pilipino", "wikang filipino"),
}
_BY_WORD: dict[str, str] = {normalise_text(word).casefold(): code for code, words in LANGUAGE_WORDS.items()
                            for word in (*words, LANGUAGES[code].native_name)}


def named_language(text: str) -> str | None:
    """The language a typed word names ("Lao", "ខ្មែរ", "Tiếng Việt"), or None."""
    said = " ".join(normalise_text(text).casefold().strip(" .!?។။").split())
    return _BY_WORD.get(said)


def language_buttons(hint: str | None = None) -> tuple[tuple[Button, ...], ...]:
    """Every language in a fixed order; ``hint`` (only while onboarding, before one is chosen) goes first."""
    codes = list(LANGUAGES)
    if hint in LANGUAGES:
        codes.remove(hint)
        codes.insert(0, hint)
    return rows(*(Button(LANGUAGES[c].native_name, LANG.encode(c)) for c in codes), width=2)


def ask_language(ctx: Context) -> None:
    hint = normalise_language(ctx.msg.language_hint) or ctx.data.get("hint")
    # Written in the hinted language (or English) with every choice in its own script.
    if hint and ctx.user.language is None:
        ctx.user.language = hint
    ctx.reply(ctx._("Welcome! Please choose your language."), language_buttons(hint))


def begin(ctx: Context) -> None:
    hint = normalise_language(ctx.msg.language_hint)
    ctx.goto(Onboarding.LANGUAGE, hint=hint)
    ask_language(ctx)


def ask_name(ctx: Context) -> None:
    ctx.goto(Onboarding.NAME)
    ctx.reply(ctx._("What is your name?"))


def ask_craft(ctx: Context) -> None:
    ctx.goto(Onboarding.CRAFT)
    buttons = rows(*(Button(craft_name(code, ctx.t), CRAFT.encode(code)) for code in CRAFTS), width=2)
    ctx.reply(ctx._("Thank you, {name}. What is your craft?", name=ctx.user.name or ""), buttons)


def ask_country(ctx: Context) -> None:
    ctx.goto(Onboarding.COUNTRY)
    hinted = ctx.user.country
    codes = [c for c in COUNTRIES if c != hinted]
    if hinted in COUNTRIES:
        codes.insert(0, hinted)
    buttons = rows(*(Button(country_name(c, ctx.t), COUNTRY.encode(c)) for c in codes), width=2)
    ctx.reply(ctx._("Which country do you work in?"), buttons)


def prompt_current(ctx: Context) -> None:
    """Ask again whatever onboarding is waiting for (after /menu, a sticker, a stale button...)."""
    step = ctx.step
    if step == Onboarding.NAME:
        ask_name(ctx)
    elif step == Onboarding.CRAFT:
        ask_craft(ctx)
    elif step == Onboarding.COUNTRY:
        ask_country(ctx)
    else:
        begin(ctx)


def language_typed(ctx: Context) -> bool:
    """A language's name, typed in the language step or while the language buttons are on screen."""
    if ctx.msg.payload is not None or ctx.msg.command is not None or not ctx.msg.text:
        return False
    on_screen = ctx.step == Onboarding.LANGUAGE or any(
        LANG.decode(str(payload)) is not None for _, payload in (ctx.user.menu or []))
    return on_screen and named_language(ctx.msg.text) is not None


@router.on(language_typed)
async def typed_language(ctx: Context) -> None:
    await set_language(ctx, named_language(ctx.msg.text) or "")


@router.on(LANG)
async def choose_language(ctx: Context) -> None:
    await set_language(ctx, LANG.arg(ctx, ""))


async def set_language(ctx: Context, code: str) -> None:
    if code not in LANGUAGES:
        ask_language(ctx)
        return
    ctx.user.language = code
    if ctx.user.onboarded:
        show_menu(ctx, ctx._("Language changed to {language}.", language=LANGUAGES[code].native_name))
        return
    ctx.reply(
        ctx._("Privacy: we keep your name, craft, country and course progress only to run this service, "
              "and never show your number to anyone without your choice.")
    )
    ask_name(ctx)


@router.step(Onboarding.NAME, filters=[NotOnboarded])
async def got_name(ctx: Context) -> None:
    name = " ".join(normalise_text(ctx.msg.text).split())
    if not name or ctx.msg.command is not None:
        ctx.reply(ctx._("Please type your name (or the name of your business)."))
        return
    if len(name) > NAME_MAX:
        ctx.reply(ctx._("That is a bit long. Please send a name of at most {max} characters.", max=NAME_MAX))
        return
    ctx.user.name = name
    ask_craft(ctx)


@router.on(CRAFT, NotOnboarded)
async def got_craft(ctx: Context) -> None:
    code = CRAFT.arg(ctx, "")
    if code not in CRAFTS:
        ask_craft(ctx)
        return
    ctx.user.craft = code
    ask_country(ctx)


@router.on(COUNTRY, NotOnboarded)
async def got_country(ctx: Context) -> None:
    code = COUNTRY.arg(ctx, "")
    if code not in COUNTRIES:
        ask_country(ctx)
        return
    ctx.user.country = code
    ctx.user.timezone = ctx.user.timezone or COUNTRY_TIMEZONE.get(code)
    if ctx.user.language is None:
        ctx.user.language = COUNTRY_LANGUAGE.get(code, "en")
    ctx.user.onboarded = True
    ctx.goto(None)
    show_menu(
        ctx,
        ctx._("All set, {name}! Take a short course, sell your work in the marketplace, or ask a question.",
              name=ctx.user.name or ""),
    )


@router.on(NotOnboarded)
async def not_yet(ctx: Context) -> None:
    """Anything else before onboarding is done: ask (again) for what is missing."""
    if ctx.step is None:
        begin(ctx)
    else:
        if ctx.msg.media or (ctx.msg.payload is None and not ctx.msg.text.strip()):
            ctx.reply(ctx._("I can only read text and button presses here."))
        prompt_current(ctx)
