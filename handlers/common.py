"""Commands and words that always work: /start, /menu, /help, /language, "menu", "help".

/help lists the commands a learner can use (/progress, /review, /certificates, /reminders, /search, /link,
/mydata, /forget, ...; tests/handlers/test_common.py checks none is missing) and STOP / START in the user's words.

Payloads: ``menu:home`` (``handlers.menu.HOME``), ``menu:help``, ``menu:language``.
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import N_
from bot.payloads import Action
from bot.router import Command, Router, Words
from bot.text.normalise import normalise_text
from handlers import onboarding
from handlers.menu import HOME, add_item, current_buttons, show_menu
from handlers.subscription import stop_start_words

router = Router("common")

LANGUAGE = Action("menu:language")
HELP = Action("menu:help")

add_item(N_("Language"), LANGUAGE, 90)
add_item(N_("Help"), HELP, 95)


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
@router.on(HOME)
async def menu(ctx: Context) -> None:
    if not ctx.user.onboarded:
        onboarding.prompt_current(ctx)
        return
    ctx.goto(None)  # leave any flow; drafts are kept in their own tables
    show_menu(ctx)


@router.on(Command("help"))
@router.on(Words(N_("help")))
@router.on(HELP)
async def help_(ctx: Context) -> None:
    stop, start = stop_start_words(ctx)
    ctx.reply(
        ctx._(
            "I help artisans and cultural businesses learn and sell.\n"
            "/menu - everything I can do\n"
            "/progress - your courses\n"
            "/review - practise the questions you missed\n"
            "/certificates - your certificates\n"
            "/reminders - lesson reminders\n"
            "/search - find products in the marketplace\n"
            "/directory - find artisans and craft groups\n"
            "/events - fairs and workshops, sign up\n"
            "/profile - your profile and data saver\n"
            "/link - join your Telegram and WhatsApp chats\n"
            "/language - change language\n"
            "/mydata - see what we keep about you\n"
            "/forget - erase everything about you\n"
            "/help - this message\n"
            "{stop} - no more announcements, {start} - get them again\n"
            "You can also just type a question.",
            stop=stop, start=start,
        ),
        # An aside: the numbers of the flow the user is in keep working (onboarding asks again below).
        current_buttons(ctx) if ctx.user.onboarded else (),
    )
    if not ctx.user.onboarded:
        onboarding.prompt_current(ctx)


def stray_number(ctx: Context) -> bool:
    """A bare number that pressed no button (out of range, or nothing on screen) outside any flow: without
    this it reached the FAQ ("I don't know") and could become a ticket for a trainer."""
    if ctx.msg.payload is not None or ctx.msg.command is not None or ctx.user.step is not None:
        return False
    return ctx.user.onboarded and normalise_text(ctx.msg.text).strip().rstrip(".").isdigit()


@router.on(stray_number)
async def number_without_button(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, I did not understand that. Choose from the menu, or send /help."), current_buttons(ctx))


@router.on(Command("language"))
@router.on(LANGUAGE)
async def language(ctx: Context) -> None:
    # A fixed order: the current language is not moved first, so "3" is always the same language.
    ctx.reply(ctx._("Choose your language."), onboarding.language_buttons())
