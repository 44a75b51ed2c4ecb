"""Commands and words that always work: /start, /menu, /help, /progress, /language, "menu", "help"."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.router import Command, Router, Words
from handlers import onboarding
from handlers.menu import add_item, show_menu

router = Router("common")

add_item(N_("Language"), "menu:language", 90)
add_item(N_("Help"), "menu:help", 95)


@router.command("start")
async def start(ctx: Context) -> None:
    if not ctx.user.onboarded:
        if ctx.step is None:
            onboarding.begin(ctx)
        else:
            onboarding.prompt_current(ctx)
        return
    ctx.goto(None)
    show_menu(ctx, ctx._("Welcome back, {name}!", name=ctx.user.name or ""))


@router.on(Command("menu"))
@router.on(Words(N_("menu")))
@router.button("menu:home")
async def menu(ctx: Context) -> None:
    if not ctx.user.onboarded:
        onboarding.prompt_current(ctx)
        return
    ctx.goto(None)  # leave any flow; drafts are kept in their own tables
    show_menu(ctx)


@router.on(Command("help"))
@router.on(Words(N_("help")))
@router.button("menu:help")
async def help_(ctx: Context) -> None:
    ctx.reply(
        ctx._(
            "I help artisans and cultural businesses learn and sell.\n"
            "/menu - everything I can do\n"
            "/progress - your courses\n"
            "/language - change language\n"
            "/help - this message\n"
            "You can also just type a question."
        )
    )
    if not ctx.user.onboarded:
        onboarding.prompt_current(ctx)


@router.on(Command("language"))
@router.button("menu:language")
async def language(ctx: Context) -> None:
    ctx.reply(ctx._("Choose your language."), onboarding.language_buttons(ctx.user.language))
