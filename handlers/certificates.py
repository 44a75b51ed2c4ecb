"""Certificates in the chat: one issued when a learner completes a course (``award``, called by the lessons'
completion message), ``/certificates`` lists them and sends any again.

The image is rendered once (``bot.certificates.render``) and kept in the media store, so Telegram gets it
with sendPhoto and WhatsApp by its media URL; if the file is gone it is drawn again from the record.
Payloads: ``menu:certificates`` (the list) and ``cert:<id>`` (send one again).
"""

from __future__ import annotations

import logging

from babel.dates import format_date

from bot.certificates import Issuer, show_code, verify_url
from bot.certificates.render import CertificateText, ShapingUnavailable, render_certificate
from bot.context import Context
from bot.i18n import N_, Translator, translator
from bot.media import MediaRejected, MediaStore
from bot.payloads import Action
from bot.router import Command, Onboarded, Router, Words
from bot.types import Button, Media, rows
from content import Course
from handlers.menu import HOME
from storage.certificates import Certificate, certificate, certificate_of, certificates_of, issue_certificate

log = logging.getLogger(__name__)

router = Router("certificates")

LIST = Action("menu:certificates")
SEND = Action("cert", int)


def issued_on(t: Translator, record: Certificate) -> str:
    """The date in the certificate's language, the locale's medium date ("6 Dec 2026")."""
    return format_date(record.issued_at.astimezone(t.tz).date(), "medium", locale=t.locale)


def certificate_text(t: Translator, record: Certificate, url: str) -> CertificateText:
    return CertificateText(
        heading=t.gettext("Certificate of completion"),
        intro=t.gettext("This certifies that"),
        name=record.name or "",
        completed=t.gettext("has completed the course"),
        course=record.course_title,
        date=t.gettext("Date: {date}", date=issued_on(t, record)),
        issuer=t.gettext("Issued by {issuer}", issuer=record.issuer),
        code=t.gettext("Verification code: {code}", code=show_code(record.code)),
        url=url,
    )


def store_image(ctx: Context, record: Certificate) -> str | None:
    """Render the certificate into the media store; its key (None when it cannot be drawn or kept)."""
    store = ctx.deps.extras.get("media")
    if not isinstance(store, MediaStore):
        return None
    t = translator(record.language, ctx.user.timezone)
    try:
        data = render_certificate(certificate_text(t, record, verify_url(ctx.deps.settings, record.code)),
                                  Issuer.from_env().logo)
        return store.save(data)
    except (ShapingUnavailable, OSError, MediaRejected):
        log.exception("certificate %s could not be rendered", record.id)
        return None


def photo_of(ctx: Context, record: Certificate) -> Media | None:
    store = ctx.deps.extras.get("media")
    if record.media_key and isinstance(store, MediaStore) and store.path(record.media_key) is not None:
        return Media("photo", key=record.media_key)
    record.media_key = store_image(ctx, record)
    return Media("photo", key=record.media_key) if record.media_key else None


async def award(ctx: Context, course: Course) -> Certificate:
    """This learner's certificate for ``course``: the one they have, else a new one (with its image)."""
    record = await certificate_of(ctx.session, ctx.user.id, course.id)
    if record is not None:
        return record
    language = ctx.user.language or "en"
    record = await issue_certificate(
        ctx.session, user_id=ctx.user.id, course_id=course.id, name=ctx.user.name or "",
        course_title=course.title.in_(language), language=language, issuer=Issuer.from_env().name, now=ctx.now)
    record.media_key = store_image(ctx, record)
    return record


def caption(ctx: Context, record: Certificate) -> str:
    return ctx._("Your certificate for “{course}”. Anyone can check it at {url}",
                 course=record.course_title, url=verify_url(ctx.deps.settings, record.code))


def send_certificate(ctx: Context, record: Certificate, text: str | None = None,
                     buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
    """The certificate as a photo (``text`` as its caption, else the usual one)."""
    ctx.reply(text or caption(ctx, record), buttons or rows(
        Button(ctx._("My certificates"), LIST.encode()), Button(ctx._("Main menu"), HOME.encode()), width=2),
        photo=photo_of(ctx, record))


@router.on(Command("certificates", "certificate"), Onboarded)
@router.on(Words(N_("certificates"), N_("certificate")), Onboarded)
@router.on(LIST, Onboarded)
async def list_certificates(ctx: Context) -> None:
    records = await certificates_of(ctx.session, ctx.user.id)
    if not records:
        ctx.reply(ctx._("You have no certificates yet. Finish a course to get one."),
                  rows(Button(ctx._("Main menu"), HOME.encode())))
        return
    lines = []
    buttons = []
    revoked = ctx._("revoked")
    for record in records:
        status = f" ({revoked})" if record.revoked_at is not None else ""
        lines.append(f"• {record.course_title} · {issued_on(ctx.t, record)} · {show_code(record.code)}{status}")
        buttons.append(Button(record.course_title[:60], SEND.encode(record.id)))
    buttons.append(Button(ctx._("Main menu"), HOME.encode()))
    ctx.reply("\n".join(lines) + "\n\n" + ctx._("Choose one to get it again."), rows(*buttons),
              title=ctx._("My certificates"))


@router.on(SEND, Onboarded)
async def send_again(ctx: Context) -> None:
    record = await certificate(ctx.session, SEND.arg(ctx, 0))
    if record is None or record.user_id != ctx.user.id:
        ctx.reply(ctx._("That certificate is not available."))
        await list_certificates(ctx)
        return
    send_certificate(ctx, record)
