"""Last resort: unknown commands, stickers, voice notes, locations, empty messages and stale buttons get
a short, helpful answer instead of silence."""

from __future__ import annotations

from bot.context import Context
from bot.router import HasMedia, Router
from handlers.menu import current_buttons, menu_buttons

router = Router("fallback")


@router.on(lambda ctx: ctx.msg.command is not None)
async def unknown_command(ctx: Context) -> None:
    ctx.reply(ctx._("I don't know the command /{command}. Try /menu or /help.", command=ctx.msg.command or ""),
              menu_buttons(ctx))


@router.on(HasMedia)
async def media(ctx: Context) -> None:
    kind = ctx.msg.media[0].kind
    if kind == "voice" or kind == "audio":
        text = ctx._("I can't listen to voice messages yet. Please type your message, or use the buttons.")
    elif kind == "sticker":
        text = ctx._("Nice sticker! I can only read text, though. Type a question or use the buttons.")
    else:
        text = ctx._("I can't use that file here. Type a message, or use the buttons.")
    ctx.reply(text, menu_buttons(ctx))


@router.on(lambda ctx: ctx.msg.location is not None)
async def location(ctx: Context) -> None:
    ctx.reply(ctx._("Thanks for the location, but I don't need it here."), menu_buttons(ctx))


def empty(ctx: Context) -> bool:
    """Nothing in the message: no text (or only spaces), no button, file or place (a blank line in the
    terminal, a WhatsApp message of spaces, a Telegram update of a kind without text)."""
    msg = ctx.msg
    return (msg.payload is None and msg.command is None and not msg.media and msg.location is None
            and not msg.text.strip())


@router.on(empty)
async def empty_message(ctx: Context) -> None:
    # The buttons on screen stay (and so does the step the user is in): an empty message changes nothing.
    ctx.reply(ctx._("I got an empty message. Type a message, or choose from the buttons."), current_buttons(ctx))


@router.on(lambda ctx: ctx.msg.payload is not None)
async def stale_button(ctx: Context) -> None:
    ctx.reply(ctx._("That button is no longer active. Here is the menu."), menu_buttons(ctx))


@router.on(lambda ctx: True)
async def anything(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, I did not understand that. Choose from the menu, or send /help."), menu_buttons(ctx))
