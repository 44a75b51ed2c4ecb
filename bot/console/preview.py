"""A ``Reply`` as it shows on each channel, for the console's previews: the channels' own rendering
(``bot.channels.telegram.text_chunks``/``keyboard`` limits, ``bot.channels.whatsapp_send.text_messages``,
captions, templates outside WhatsApp's 24-hour window), turned into plain bubbles a template shows
escaped. Nothing is sent."""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.channels import telegram, whatsapp_send
from bot.config import Settings
from bot.types import Media, Reply


@dataclass(frozen=True)
class Bubble:
    """One chat message: a photo (our media key, or a note that the platform holds it), a bold title,
    the text (plain, shown escaped), and rows of button labels (Telegram) — WhatsApp's are in the text."""

    text: str = ""
    title: str | None = None
    photo: str | None = None  # a key of our media store
    has_photo: bool = False
    buttons: tuple[tuple[str, ...], ...] = ()


def _photo_key(media: Media | None) -> str | None:
    return media.key if media is not None and media.key else None


def telegram_bubbles(reply: Reply) -> list[Bubble]:
    """The messages Telegram's sender would send: a photo with the text as caption when it fits, else
    the photo then the text in pieces under 4096 characters; the buttons under the last one."""
    head = f"<b>{html.escape(reply.title, quote=False)}</b>\n\n" if reply.title else ""
    chunks = telegram.text_chunks(reply)
    labels = tuple(tuple(b.label[:telegram.LABEL_LIMIT] for b in row) for row in reply.buttons)

    def plain(chunk: str, first: bool) -> tuple[str | None, str]:
        if first and head and chunk.startswith(head):
            return reply.title, html.unescape(chunk[len(head):])
        if first and reply.title and chunk == f"<b>{html.escape(reply.title, quote=False)}</b>":
            return reply.title, ""
        return None, html.unescape(chunk)

    bubbles: list[Bubble] = []
    photo = _photo_key(reply.photo)
    if reply.photo is not None:
        if len(chunks) == 1 and len(chunks[0]) <= telegram.CAPTION_LIMIT:
            title, text = plain(chunks[0], True)
            return [Bubble(text, title, photo, True, labels)]
        bubbles.append(Bubble(photo=photo, has_photo=True))
    chunks = [c for c in chunks if c.strip()]
    for index, chunk in enumerate(chunks):
        title, text = plain(chunk, index == 0)
        bubbles.append(Bubble(text, title, buttons=labels if index == len(chunks) - 1 else ()))
    return bubbles


def whatsapp_bubbles(reply: Reply, language: str | None) -> list[Bubble]:
    """The messages sent inside the 24-hour window: bodies under 1600 characters with the buttons as a
    numbered menu at the end, the photo with the body as caption when it fits."""
    bodies = whatsapp_send.text_messages(reply, language)
    photo = _photo_key(reply.photo)
    if reply.photo is not None:
        if len(bodies) == 1 and len(bodies[0]) <= whatsapp_send.CAPTION_LIMIT:
            return [Bubble(bodies[0], photo=photo, has_photo=True)]
        return [Bubble(photo=photo, has_photo=True)] + [Bubble(body) for body in bodies]
    return [Bubble(body) for body in bodies] or [Bubble(" ")]


def whatsapp_template(reply: Reply, settings: Settings) -> str | None:
    """What goes outside the 24-hour window: the approved template's variable (the text on one line), or
    None when no template is configured for this kind of message (then it waits until they write)."""
    if reply.kind not in whatsapp_send.parse_templates(settings.twilio_templates):
        return None
    return whatsapp_send.one_line(whatsapp_send.render_body(reply))
