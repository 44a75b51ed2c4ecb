"""Certificates of course completion: one per learner and course, verifiable by a short random code.

The record keeps what the certificate says (the name as written, the course title in the learner's
language, the issuer, the date), so the public verify page and ``smce-bot verify`` answer without the
content library; ``anonymise_certificates`` blanks the name when a learner asks to be forgotten (the row
stays only as an anonymous count).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters, no I/O/0/1: 5 bits each
CODE_LENGTH = 10  # 50 bits: not guessable


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    course_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))  # None once anonymised
    course_title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8))
    issuer: Mapped[str] = mapped_column(String(200))
    media_key: Mapped[str | None] = mapped_column(String(100))  # the rendered image in the media store
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What someone typed or scanned, as stored: upper case, no spaces or dashes, O/I read as 0/1's
    look-alikes are not in the alphabet so they stay (and simply do not match)."""
    return "".join(ch for ch in text.strip().upper() if ch not in " -")[:16]


async def certificate_by_code(session: AsyncSession, code: str) -> Certificate | None:
    return (await session.scalars(select(Certificate).where(Certificate.code == normalise_code(code)))).first()


async def certificate_of(session: AsyncSession, user_id: int, course_id: str) -> Certificate | None:
    query = select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
    return (await session.scalars(query.order_by(Certificate.id.desc()))).first()


async def certificates_of(session: AsyncSession, user_id: int) -> list[Certificate]:
    """This learner's certificates, oldest first."""
    query = select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.id)
    return list((await session.scalars(query)).all())


async def certificate(session: AsyncSession, certificate_id: int) -> Certificate | None:
    return await session.get(Certificate, certificate_id)


async def issue_certificate(session: AsyncSession, *, user_id: int, course_id: str, name: str, course_title: str,
                            language: str, issuer: str, now: datetime) -> Certificate:
    """A new certificate with a fresh code (retried on the rare clash), flushed so it has its id."""
    while True:
        code = new_code()
        if await certificate_by_code(session, code) is None:
            break
    row = Certificate(code=code, user_id=user_id, course_id=course_id, name=name[:200], course_title=course_title[:300],
                      language=language, issuer=issuer[:200], issued_at=now)
    session.add(row)
    await session.flush()
    return row


async def revoke_certificate(session: AsyncSession, code: str, reason: str, now: datetime) -> Certificate | None:
    row = await certificate_by_code(session, code)
    if row is not None:
        row.revoked_at, row.revoke_reason = now, reason[:2000]
    return row


async def anonymise_certificates(session: AsyncSession, user_id: int) -> None:
    """A learner asked to be forgotten: their certificates stay only as anonymous counts."""
    await session.execute(update(Certificate).where(Certificate.user_id == user_id).values(
        user_id=None, name=None, media_key=None))


async def certificate_counts(session: AsyncSession) -> dict[str, int]:
    """Certificates issued per course (revoked ones not counted), for the trainer console."""
    query = (select(Certificate.course_id, func.count()).where(Certificate.revoked_at.is_(None))
             .group_by(Certificate.course_id))
    return {course: int(n) for course, n in (await session.execute(query)).all()}
