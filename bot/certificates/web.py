"""The public verify page: ``GET /verify/<code>`` says whether a certificate is valid or revoked.

No sign-in and nothing beyond the name, course, date, issuer and status; an unknown code gets a clear
"not found" page with status 404, never an error. HTML escaped, no JavaScript. The page is in English
(the certificate's own language is unknown to whoever scans it), the name and course as on the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from aiohttp import web

from bot.certificates import show_code
from storage.certificates import Certificate, certificate_by_code
from storage.db import Database


@dataclass(frozen=True)
class Verdict:
    """What the page and ``smce-bot verify`` say about one code."""

    status: str  # valid | revoked | not found
    code: str
    name: str = ""
    course: str = ""
    date: str = ""
    issuer: str = ""
    reason: str = ""

    def lines(self) -> list[str]:
        if self.status == "not found":
            return [f"Certificate {self.code}: not found", "No certificate has this code. Check it letter by letter."]
        lines = [f"Certificate {show_code(self.code)}: {self.status.upper()}", f"Name: {self.name}",
                 f"Course: {self.course}", f"Date: {self.date}", f"Issuer: {self.issuer}"]
        if self.status == "revoked":
            lines.append(f"Revoked: {self.reason or 'no reason given'}")
        return lines


def day(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%B %Y')}"  # 6 December 2026: no day/month confusion


def verdict_of(code: str, row: Certificate | None) -> Verdict:
    if row is None:
        return Verdict("not found", code[:16])
    name = row.name or "(name removed at the holder's request)"
    if row.revoked_at is not None:
        return Verdict("revoked", row.code, name, row.course_title, day(row.issued_at), row.issuer,
                       row.revoke_reason or "")
    return Verdict("valid", row.code, name, row.course_title, day(row.issued_at), row.issuer)


async def verify(db: Database, code: str) -> Verdict:
    async with db.transaction() as session:
        return verdict_of(code, await certificate_by_code(session, code))


STYLE = ("body{font-family:'Noto Sans',system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
         "color:#1e2a30}h1{font-size:1.4rem}.valid{color:#1a7f37}.revoked,.missing{color:#b42318}"
         "dt{color:#5b6770;margin-top:.6rem}dd{margin:0;font-size:1.15rem}")


def page(verdict: Verdict) -> str:
    if verdict.status == "not found":
        body = (f'<h1 class="missing">Certificate not found</h1><p>No certificate has the code '
                f"<b>{escape(verdict.code)}</b>. Check it letter by letter: codes use the letters A-Z without I "
                "and O, and the digits 2-9.</p>")
    else:
        label = "Valid certificate" if verdict.status == "valid" else "Revoked certificate"
        rows = [("Name", verdict.name), ("Course", verdict.course), ("Date", verdict.date),
                ("Issuer", verdict.issuer), ("Code", show_code(verdict.code))]
        if verdict.status == "revoked":
            rows.append(("Reason", verdict.reason or "no reason given"))
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
        body = f'<h1 class="{verdict.status}">{escape(label)}</h1><dl>{items}</dl>'
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">'
            f"<title>Certificate check</title><style>{STYLE}</style></head><body>{body}</body></html>")


HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "Cache-Control": "no-store",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def routes(db: Database) -> list[web.RouteDef]:
    """The verify page's route, for the service's web app."""

    async def verify_page(request: web.Request) -> web.Response:
        verdict = await verify(db, request.match_info["code"])
        return web.Response(text=page(verdict), content_type="text/html", charset="utf-8", headers=HEADERS,
                            status=404 if verdict.status == "not found" else 200)

    return [web.get("/verify/{code}", verify_page)]
