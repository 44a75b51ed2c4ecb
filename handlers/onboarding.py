"""First contact: language, a one-line privacy notice, name, craft, country, then two optional questions for
the programme's anonymous reports, sex and age band (``bot.demographics``), each with "Prefer not to say" and a
"Skip" button; typed "34" answers the age band. ``/profile`` (``handlers.profile``) changes any of it later.

During onboarding the language buttons put the hinted language (Telegram's language_code, a phone's country
code) first, but every language is always offered: a hint, never a trap. ``/language`` changes it any time,
with the languages in a fixed order (so their numbers never move).

Every question asked with buttons also takes a typed answer (``handlers.choices.pick``): a button's words or
its first word ("ການທໍ", "paghahabi", "textiles"), English names, common local names ("pinas", "kampuchea",
"ລາວ"), in any case, with or without accents, or a close misspelling. Two choices equally close: the bot asks
which one, with just those buttons. Nothing close: it says so in one line and shows the buttons again.

Payloads: ``lang:<code>`` (a language, also from ``/language``), ``onb:craft:<code>``, ``onb:country:<code>``,
``onb:sex:<code>`` and ``onb:age:<code>`` (``skip`` skips the question).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cache

from bot.context import Context
from bot.demographics import CHOICES
from bot.i18n import LANGUAGES, Translator, normalise_language
from bot.payloads import Action
from bot.router import NotOnboarded, Router
from bot.text.normalise import normalise_text
from bot.types import Button, Channel, rows
from handlers.choices import (
    COUNTRIES,
    COUNTRY_LANGUAGE,
    COUNTRY_TIMEZONE,
    CRAFTS,
    Vocabulary,
    country_name,
    craft_name,
    pick,
    typed_country,
    typed_craft,
    vocabulary,
)
from handlers.data_saver import CHOICES as SAVER_CHOICES
from handlers.data_saver import ON, saver_buttons, saver_question, typed_saver
from handlers.demographics import SKIP, optional_buttons, typed_optional
from handlers.menu import show_menu

router = Router("onboarding")

NAME_MAX = 60

# The argument is optional so that a bare "lang" or "onb:craft" asks again, as a wrong code does.
LANG = Action("lang", str, optional_last=True)
CRAFT = Action("onb:craft", str, optional_last=True)
COUNTRY = Action("onb:country", str, optional_last=True)
SEX = Action("onb:sex", str, optional_last=True)
AGE = Action("onb:age", str, optional_last=True)
SAVER = Action("onb:saver", str, optional_last=True)  # WhatsApp only: data saver on or off

Buttons = tuple[tuple[Button, ...], ...]


class Onboarding(StrEnum):
    LANGUAGE = "onboarding.language"
    NAME = "onboarding.name"
    CRAFT = "onboarding.craft"
    COUNTRY = "onboarding.country"
    SEX = "onboarding.sex"
    AGE = "onboarding.age_band"
    DATA_SAVER = "onboarding.data_saver"


# What people type for a language, besides its own name and its CLDR name in each of our languages.
# "bahasa" alone names two languages: the bot asks which.
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("english", "eng", "inglés", "ingles", "anglais", "ພາສາອັງກິດ", "ភាសាអង់គ្លេស", "tiếng anh",
           "ภาษาอังกฤษ", "bahasa inggris", "bahasa inggeris", "အင်္ဂလိပ်ဘာသာ", "ingles"),
    "lo": ("lao", "laos", "laotian", "ລາວ", "ພາສາລາວ", "ພາສາ ລາວ"),
    "km": ("khmer", "cambodian", "ខ្មែរ", "ភាសាខ្មែរ", "ភាសា ខ្មែរ"),
    "vi": ("vietnamese", "tiếng việt", "việt", "viet", "việt nam", "vietnam"),
    "th": ("thai", "ไทย", "ภาษาไทย", "ภาษา ไทย"),
    "id": ("indonesia", "indonesian", "bahasa indonesia", "bahasa", "indo"),
    "ms": ("melayu", "malay", "bahasa melayu", "bahasa malaysia", "malaysian", "bahasa"),
    "my": ("burmese", "myanmar", "မြန်မာ", "မြန်မာဘာသာ", "မြန်မာစာ", "ဗမာ"),
    "fil": ("filipino", "tagalog", "pilipino", "wikang filipino", "wikang pilipino"),
}


@cache
def language_vocabulary() -> Vocabulary:
    names = {code: [LANGUAGES[code].native_name, *(str(Translator(lang).locale.languages.get(code, ""))
                                                  for lang in LANGUAGES)] for code in LANGUAGES}
    return vocabulary(LANGUAGE_WORDS, names)


def typed_language(text: str, *, sentence: bool = True) -> tuple[str, ...]:
    """The languages a typed answer names ("Lao", "ខ្មែរ", "Tieng Viet", "Filipno"): one, several, or none."""
    return pick(text, language_vocabulary(), LANGUAGES, sentence=sentence)


def named_language(text: str) -> str | None:
    """The one language a typed word names, or None."""
    found = typed_language(text)
    return found[0] if len(found) == 1 else None


def language_buttons(hint: str | None = None, codes: Iterable[str] = LANGUAGES) -> Buttons:
    """Every language in a fixed order; ``hint`` (only while onboarding, before one is chosen) goes first."""
    codes = [c for c in codes if c in LANGUAGES]
    if hint in codes:
        codes.remove(hint)
        codes.insert(0, hint)
    return rows(*(Button(LANGUAGES[c].native_name, LANG.encode(c)) for c in codes), width=2)


def _hint(ctx: Context) -> str | None:
    return normalise_language(ctx.msg.language_hint) or ctx.data.get("hint")


def ask_language(ctx: Context) -> None:
    hint = _hint(ctx)
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


def craft_buttons(ctx: Context, codes: Iterable[str] = CRAFTS) -> Buttons:
    return rows(*(Button(craft_name(code, ctx.t), CRAFT.encode(code)) for code in codes), width=2)


def ask_craft(ctx: Context, *, again: bool = False) -> None:
    ctx.goto(Onboarding.CRAFT)
    question = ctx._("What is your craft?") if again else \
        ctx._("Thank you, {name}. What is your craft?", name=ctx.user.name or "")
    ctx.reply(question, craft_buttons(ctx))


def country_buttons(ctx: Context, codes: Iterable[str] | None = None) -> Buttons:
    """The countries, the hinted one (a phone's country code) first; or just ``codes``."""
    if codes is None:
        hinted = ctx.user.country
        codes = [c for c in COUNTRIES if c != hinted]
        if hinted in COUNTRIES:
            codes.insert(0, hinted)
    return rows(*(Button(country_name(c, ctx.t), COUNTRY.encode(c)) for c in codes), width=2)


def ask_country(ctx: Context) -> None:
    ctx.goto(Onboarding.COUNTRY)
    ctx.reply(ctx._("Which country do you work in?"), country_buttons(ctx))


def ask_sex(ctx: Context, *, again: bool = False) -> None:
    ctx.goto(Onboarding.SEX)
    question = ctx._("Are you a woman or a man, or do you describe yourself another way?")
    if not again:
        question = ctx._("Two last questions, both optional: the answers are used only for anonymous programme "
                         "reports.") + "\n" + question
    ctx.reply(question, optional_buttons(ctx, "sex", SEX.encode))


def ask_age(ctx: Context) -> None:
    ctx.goto(Onboarding.AGE)
    ctx.reply(ctx._("How old are you? Choose a range, or type your age."),
              optional_buttons(ctx, "age_band", AGE.encode))


def prompt_current(ctx: Context) -> None:
    """Ask again whatever onboarding is waiting for (after /menu, a sticker, a stale button...)."""
    step = ctx.step
    if step == Onboarding.NAME:
        ask_name(ctx)
    elif step == Onboarding.CRAFT:
        ask_craft(ctx, again=True)
    elif step == Onboarding.COUNTRY:
        ask_country(ctx)
    elif step == Onboarding.SEX:
        ask_sex(ctx, again=True)
    elif step == Onboarding.AGE:
        ask_age(ctx)
    elif step == Onboarding.DATA_SAVER:
        ask_saver(ctx)
    else:
        begin(ctx)


def answered(ctx: Context, found: tuple[str, ...], buttons: Callable[[Iterable[str] | None], Buttons],
             none: str | None = None) -> str | None:
    """The one choice a typed answer names; else ask which one (several) or say, in one line, that it is none
    of them (``none``, or a general line) with the buttons again."""
    if len(found) == 1:
        return found[0]
    if found:
        ctx.reply(ctx._("Which one do you mean?"), buttons(found))
    else:
        ctx.reply(none or ctx._("Sorry, that is not one of the choices. Please choose one of these:"), buttons(None))
    return None


def typed(ctx: Context) -> bool:
    return ctx.msg.payload is None and ctx.msg.command is None and bool(ctx.msg.text.strip())


def language_typed(ctx: Context) -> bool:
    """Typed text in the language step, or a language's name while the language buttons are on screen."""
    if not typed(ctx):
        return False
    if ctx.step == Onboarding.LANGUAGE and not ctx.user.onboarded:
        return True
    # Buttons on screen but no question pending (/language): only a language's name, not "thai food prices".
    on_screen = any(LANG.decode(str(payload)) is not None for _, payload in (ctx.user.menu or []))
    return on_screen and bool(typed_language(ctx.msg.text, sentence=False))


@router.on(language_typed)
async def typed_language_answer(ctx: Context) -> None:
    asked = ctx.step == Onboarding.LANGUAGE and not ctx.user.onboarded
    hint = _hint(ctx) if asked else None
    found = typed_language(ctx.msg.text, sentence=asked)
    code = answered(ctx, found, lambda codes: language_buttons(hint, codes or LANGUAGES),
                    ctx._("Sorry, that is not one of the choices. Please choose your language:"))
    if code is not None:
        await set_language(ctx, code)


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
              "and never show your number to anyone without your choice. Sex and age are optional and used "
              "only for anonymous programme reports.")
    )
    ask_name(ctx)


def read_name(ctx: Context) -> str | None:
    """The typed name; or None, after saying what is wrong with it (also for ``/profile``)."""
    name = " ".join(normalise_text(ctx.msg.text).split())
    if not name or ctx.msg.command is not None:
        ctx.reply(ctx._("Please type your name (or the name of your business)."))
        return None
    if len(name) > NAME_MAX:
        ctx.reply(ctx._("That is a bit long. Please send a name of at most {max} characters.", max=NAME_MAX))
        return None
    return name


@router.step(Onboarding.NAME, filters=[NotOnboarded])
async def got_name(ctx: Context) -> None:
    name = read_name(ctx)
    if name is not None:
        ctx.user.name = name
        ask_craft(ctx)


@router.on(CRAFT, NotOnboarded)
async def got_craft(ctx: Context) -> None:
    code = CRAFT.arg(ctx, "")
    if code not in CRAFTS:
        ask_craft(ctx, again=True)
        return
    ctx.user.craft = code
    ask_country(ctx)


@router.step(Onboarding.CRAFT, filters=[NotOnboarded, typed])
async def typed_craft_answer(ctx: Context) -> None:
    code = answered(ctx, typed_craft(ctx.msg.text), lambda codes: craft_buttons(ctx, codes or CRAFTS))
    if code is not None:
        ctx.user.craft = code
        ask_country(ctx)


@router.on(COUNTRY, NotOnboarded)
async def got_country(ctx: Context) -> None:
    code = COUNTRY.arg(ctx, "")
    if code not in COUNTRIES:
        ask_country(ctx)
        return
    set_country(ctx, code)


@router.step(Onboarding.COUNTRY, filters=[NotOnboarded, typed])
async def typed_country_answer(ctx: Context) -> None:
    code = answered(ctx, typed_country(ctx.msg.text), lambda codes: country_buttons(ctx, codes))
    if code is not None:
        set_country(ctx, code)


def set_country(ctx: Context, code: str) -> None:
    ctx.user.country = code
    ctx.user.timezone = ctx.user.timezone or COUNTRY_TIMEZONE.get(code)
    if ctx.user.language is None:
        ctx.user.language = COUNTRY_LANGUAGE.get(code, "en")
    ask_sex(ctx)


@router.on(SEX, NotOnboarded)
async def got_sex(ctx: Context) -> None:
    set_optional(ctx, "sex", SEX.arg(ctx, ""))


@router.on(AGE, NotOnboarded)
async def got_age(ctx: Context) -> None:
    set_optional(ctx, "age_band", AGE.arg(ctx, ""))


@router.step(Onboarding.SEX, Onboarding.AGE, filters=[NotOnboarded, typed])
async def typed_optional_answer(ctx: Context) -> None:
    field, action = ("sex", SEX) if ctx.step == Onboarding.SEX else ("age_band", AGE)
    code = answered(ctx, typed_optional(field, ctx.msg.text), lambda codes: optional_buttons(ctx, field, action.encode,
                                                                                             codes))
    if code is not None:
        set_optional(ctx, field, code)


def set_optional(ctx: Context, field: str, code: str) -> None:
    """Keep (or, for ``skip``, leave empty) an optional answer, then ask the next question or finish."""
    step = Onboarding.SEX if field == "sex" else Onboarding.AGE
    if ctx.step != step:  # a button of a question not asked now
        prompt_current(ctx)
        return
    if code != SKIP and code not in CHOICES[field]:
        ask_sex(ctx, again=True) if field == "sex" else ask_age(ctx)
        return
    setattr(ctx.user, field, None if code == SKIP else code)
    if field == "sex":
        ask_age(ctx)
    elif ctx.msg.channel == Channel.WHATSAPP:  # where data costs most: offer the data saver (handlers.data_saver)
        ask_saver(ctx)
    else:
        finish(ctx)


def ask_saver(ctx: Context) -> None:
    ctx.goto(Onboarding.DATA_SAVER)
    ctx.reply(saver_question(ctx), saver_buttons(ctx, SAVER.encode))


@router.on(SAVER, NotOnboarded)
@router.step(Onboarding.DATA_SAVER, filters=[NotOnboarded, typed])
async def got_saver(ctx: Context) -> None:
    found = (SAVER.arg(ctx, ""),) if ctx.msg.payload else typed_saver(ctx.msg.text)
    found = tuple(c for c in found if c in SAVER_CHOICES)
    if ctx.step != Onboarding.DATA_SAVER:
        prompt_current(ctx)
    elif (code := answered(ctx, found, lambda _: saver_buttons(ctx, SAVER.encode))) is not None:
        ctx.user.data_saver = code == ON
        finish(ctx)


def finish(ctx: Context) -> None:
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
