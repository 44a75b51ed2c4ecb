"""First contact: language, a one-line privacy notice, name, craft, country.

The language buttons put the hinted language (Telegram's language_code, a phone's country code) first,
but every language is always offered: a hint, never a trap. ``/language`` changes it any time.
"""

from __future__ import annotations

from enum import StrEnum

from bot.context import Context
from bot.i18n import LANGUAGES, normalise_language, normalise_text
from bot.router import NotOnboarded, Router
from bot.types import Button, rows
from handlers.choices import COUNTRIES, COUNTRY_LANGUAGE, COUNTRY_TIMEZONE, CRAFTS, country_name, craft_name
from handlers.menu import show_menu

router = Router("onboarding")

NAME_MAX = 60


class Onboarding(StrEnum):
    LANGUAGE = "onboarding.language"
    NAME = "onboarding.name"
    CRAFT = "onboarding.craft"
    COUNTRY = "onboarding.country"


def language_buttons(hint: str | None) -> tuple[tuple[Button, ...], ...]:
    codes = list(LANGUAGES)
    if hint in LANGUAGES:
        codes.remove(hint)
        codes.insert(0, hint)
    return rows(*(Button(LANGUAGES[c].native_name, f"lang:{c}") for c in codes), width=2)


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
    buttons = rows(*(Button(craft_name(code, ctx.t), f"onb:craft:{code}") for code in CRAFTS), width=2)
    ctx.reply(ctx._("Thank you, {name}. What is your craft?", name=ctx.user.name or ""), buttons)


def ask_country(ctx: Context) -> None:
    ctx.goto(Onboarding.COUNTRY)
    hinted = ctx.user.country
    codes = [c for c in COUNTRIES if c != hinted]
    if hinted in COUNTRIES:
        codes.insert(0, hinted)
    buttons = rows(*(Button(country_name(c, ctx.t), f"onb:country:{c}") for c in codes), width=2)
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


@router.button("lang")
async def choose_language(ctx: Context) -> None:
    code = ctx.payload_parts[1] if len(ctx.payload_parts) > 1 else ""
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


@router.button("onb:craft", filters=[NotOnboarded])
async def got_craft(ctx: Context) -> None:
    code = ctx.payload_parts[-1]
    if code not in CRAFTS:
        ask_craft(ctx)
        return
    ctx.user.craft = code
    ask_country(ctx)


@router.button("onb:country", filters=[NotOnboarded])
async def got_country(ctx: Context) -> None:
    code = ctx.payload_parts[-1]
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
