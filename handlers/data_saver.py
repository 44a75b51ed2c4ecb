"""The data saver setting (``users.data_saver``) and the full photo on request.

With the data saver on, photos go out as light copies (``bot.light`` does it for every photo on every
channel); ``/photo`` (or the "Full photo" button where buttons carry their payload) sends the full photo of
the last message that had one. The setting is in the menu ("Data saver"), in ``/profile`` and, on WhatsApp,
one optional question at the end of onboarding (``handlers.onboarding`` asks it with ``saver_buttons``).

Payloads: ``saver:show``, ``saver:set:<on|off>``, ``photo:full[:<outbox row id>]``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from bot.context import Context
from bot.i18n import LANGUAGES, N_, Translator
from bot.light import FULL_KIND, FULL_PAYLOAD, LIGHT_BYTES, size_text
from bot.payloads import Action
from bot.router import Command, Onboarded, Router
from bot.types import Button, Media, rows
from handlers.choices import Vocabulary, pick, vocabulary
from handlers.menu import HOME, add_item
from storage.data_saver import photo_written

router = Router("data_saver")

SHOW = Action("saver:show")
SET = Action("saver:set", str)
FULL = Action(FULL_PAYLOAD, int, optional_last=True)
ON, OFF = "on", "off"
CHOICES = {ON: N_("Save data: light photos"), OFF: N_("Full photos")}
# What people type for the two answers besides the buttons' words (in every language).
WORDS: dict[str, tuple[str, ...]] = {ON: ("yes", "on", "save", "light", "data saver", "ok"),
                                     OFF: ("no", "off", "full", "normal", "no thanks")}
Buttons = tuple[tuple[Button, ...], ...]

add_item(N_("Data saver"), SHOW, 87)


def saver_buttons(ctx: Context, encode: Callable[[str], str] = SET.encode) -> Buttons:
    return rows(*(Button(ctx._(label), encode(code)) for code, label in CHOICES.items()), width=2)


def saver_question(ctx: Context) -> str:
    return ctx._("Data can be costly. Should I send photos as light versions (under {size} each)? You can ask "
                 "for any photo in full, and change this later in the menu.", size=size_text(ctx.t, LIGHT_BYTES))


@cache
def saver_vocabulary() -> Vocabulary:
    labels = {code: [Translator(lang).gettext(label) for lang in LANGUAGES] for code, label in CHOICES.items()}
    return vocabulary(WORDS, labels)


def typed_saver(text: str) -> tuple[str, ...]:
    """The answers a typed text names ("yes", "light photos", a button's words in any language)."""
    return pick(text, saver_vocabulary(), CHOICES)


def state_line(ctx: Context) -> str:
    return ctx._("Data saver: on") if ctx.user.data_saver else ctx._("Data saver: off")


def show_saver(ctx: Context, first: str | None = None) -> None:
    lines = [first] if first else []
    lines.append(state_line(ctx))
    lines.append(ctx._("With the data saver on, photos come as light versions (under {size}); send /photo to see "
                       "the last one in full.", size=size_text(ctx.t, LIGHT_BYTES)))
    code = OFF if ctx.user.data_saver else ON
    buttons = (Button(ctx._("Turn the data saver off") if ctx.user.data_saver else ctx._("Turn the data saver on"),
                      SET.encode(code)),
               Button(ctx._("Main menu"), HOME.encode()))
    ctx.reply("\n".join(lines), rows(*buttons))


@router.on(Command("datasaver"), Onboarded)
@router.on(SHOW, Onboarded)
async def show(ctx: Context) -> None:
    show_saver(ctx)


@router.on(SET, Onboarded)
async def set_saver(ctx: Context) -> None:
    code = SET.arg(ctx, "")
    if code in CHOICES:
        ctx.user.data_saver = code == ON
        show_saver(ctx, ctx._("Saved."))
    else:
        show_saver(ctx)


@router.on(Command("photo"))
@router.on(FULL)
async def full_photo(ctx: Context) -> None:
    """The full photo of a message this address got: the button's (its outbox row), or the last one."""
    found = await photo_written(ctx.session, ctx.msg.address, FULL.arg(ctx))
    if found is None:
        ctx.reply(ctx._("There is no photo to show in full yet."))
        return
    ctx.reply("", photo=Media.from_dict(found), kind=FULL_KIND)
