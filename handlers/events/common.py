"""What the event modules share: steps, names of kinds, an event as text in the reader's language and time
zone, and the check-in ticket (code and QR image)."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.certificates import base_url
from bot.certificates.render import qr_image
from bot.config import Settings
from bot.context import Context
from bot.i18n import LANGUAGES, N_, Translator, translator
from bot.media import MediaRejected, MediaStore
from bot.types import Button, Media, Reply, rows
from handlers.events.actions import CANCEL, LIST, MINE
from handlers.menu import HOME
from storage.events import Event, Rsvp, RsvpStatus
from storage.models import Role

log = logging.getLogger(__name__)

STAFF = (Role.TRAINER, Role.ADMIN)
KIND_NAMES = {"fair": N_("Fair"), "workshop": N_("Workshop"), "training": N_("Training day"),
              "online": N_("Online session")}
CHECKIN_PATH = "/admin/events/checkin/"


class EventStep(StrEnum):
    TITLE = "events.title"
    KIND = "events.kind"
    ZONE = "events.zone"
    START = "events.start"
    END = "events.end"
    PLACE = "events.place"
    LOCATION = "events.location"
    CAPACITY = "events.capacity"
    LANGUAGES = "events.languages"
    DESCRIPTION = "events.description"
    PREVIEW = "events.preview"
    CHECKIN = "events.checkin"


def is_staff(ctx: Context) -> bool:
    return ctx.user.role in STAFF


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def kind_name(t: Translator, kind: str) -> str:
    return t.gettext(KIND_NAMES.get(kind, KIND_NAMES["workshop"]))


def when_text(t: Translator, event: Event) -> str:
    """Start and end in the reader's time zone, and in the event's own when it differs."""
    mine = f"{t.datetime(event.starts_at)} – {t.datetime(event.ends_at)}"
    local = translator(t.language, event.timezone)
    if local.datetime(event.starts_at) == t.datetime(event.starts_at):
        return mine
    there = f"{local.datetime(event.starts_at)} – {local.datetime(event.ends_at)}"
    return t.gettext("{mine} your time ({there} {zone} time)", mine=mine, there=there, zone=event.timezone)


def languages_text(codes: list[str]) -> str:
    return ", ".join(LANGUAGES[c].native_name for c in codes if c in LANGUAGES)


def event_text(t: Translator, event: Event, seats_left: int | None = None) -> str:
    lines = [f"{event.title}", kind_name(t, event.kind), t.gettext("When: {when}", when=when_text(t, event))]
    if event.place:
        lines.append(t.gettext("Where: {place}", place=event.place))
    if event.latitude is not None and event.longitude is not None:
        lines.append(f"https://www.openstreetmap.org/?mlat={event.latitude:.5f}&mlon={event.longitude:.5f}")
    if event.languages:
        lines.append(t.gettext("Languages: {languages}", languages=languages_text(list(event.languages))))
    if event.description:
        lines.append("")
        lines.append(event.description)
    if seats_left is not None:
        lines.append("")
        lines.append(t.ngettext("{n} place left", "{n} places left", seats_left) if seats_left > 0
                     else t.gettext("Full: you can join the waiting list."))
    return "\n".join(lines)


def checkin_url(settings: Settings, code: str) -> str:
    return f"{base_url(settings)}{CHECKIN_PATH}{code}"


def show_code(code: str) -> str:
    """``ACD-EFG``: easier to read aloud (the dash is ignored when typed back)."""
    return f"{code[:3]}-{code[3:]}" if len(code) > 3 else code


def qr_photo(store: object, settings: Settings, code: str) -> Media | None:
    """The check-in QR (it holds the console's check-in address) as a photo in the media store."""
    if not isinstance(store, MediaStore):
        return None
    try:
        buffer = io.BytesIO()
        qr_image(checkin_url(settings, code), 480).save(buffer, format="PNG", optimize=True)
        return Media("photo", key=store.save(buffer.getvalue()))
    except (OSError, MediaRejected):
        log.exception("check-in QR for an RSVP could not be kept")
        return None


def ticket_reply(t: Translator, event: Event, rsvp: Rsvp, store: object, settings: Settings,
                 lead: str, kind: str = "reply") -> Reply:
    """"You're in" with the check-in code and its QR image, and the buttons that go with a seat."""
    text = "\n".join((lead, "", event_text(t, event), "",
                      t.gettext("Your check-in code: {code}. Show it (or the QR code) at the door.",
                                code=show_code(rsvp.code))))
    return Reply(text, rows(Button(t.gettext("Cancel my place"), CANCEL.encode(event.id)),
                            Button(t.gettext("My events"), MINE.encode()), width=2),
                 photo=qr_photo(store, settings, rsvp.code), title=t.gettext("Your place"), kind=kind,
                 template_vars={"1": f"{event.title} {t.datetime(event.starts_at)}"})


def rsvp_state(t: Translator, rsvp: Rsvp | None) -> str:
    if rsvp is None or rsvp.status == RsvpStatus.CANCELLED:
        return ""
    if rsvp.status == RsvpStatus.WAITING:
        return t.gettext("You are on the waiting list.")
    return t.gettext("You have a place. Your check-in code: {code}", code=show_code(rsvp.code))


def back_buttons(t: Translator) -> tuple[Button, ...]:
    return (Button(t.gettext("Events"), LIST.encode()), Button(t.gettext("Main menu"), HOME.encode()))


def started(event: Event, now: datetime) -> bool:
    return now >= event.starts_at
