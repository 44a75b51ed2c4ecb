"""A local fake of Twilio's Messages API on loopback, speaking its real HTTP shapes.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with form fields (``To``, ``From``, ``Body``,
``MediaUrl``, ``ContentSid``, ``ContentVariables``, ``StatusCallback``) and HTTP Basic auth, answering
201 with the message resource JSON, or Twilio's error JSON (``{"code", "message", "more_info",
"status"}``). ``fail_next`` queues errors (e.g. 429 / 20429); ``media`` serves files for MediaUrl
downloads (``GET /media/{name}``, basic auth required).
"""

from __future__ import annotations

import base64
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class SentMessage:
    sid: str
    to: str
    from_: str
    body: str | None
    media_url: list[str]
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)


class FakeTwilioAPI:
    def __init__(self, account_sid: str = "AC" + "0" * 30, auth_token: str = "test-auth-token") -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[SentMessage] = []
        self.requests = 0
        self.failures: deque[tuple[int, int, str]] = deque()
        self.media: dict[str, tuple[bytes, str]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- control ---------------------------------------------------------------------------------
    def fail_next(self, status: int, code: int, message: str = "error") -> None:
        self.failures.append((status, code, message))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[SentMessage]:
        return [m for m in self.messages if m.to == address]

    # --- server ----------------------------------------------------------------------------------
    async def start(self) -> FakeTwilioAPI:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return web.json_response(
            {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
             "status": status},
            status=status,
        )

    async def _create(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.match_info["account"] != self.account_sid or not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        form = await request.post()
        fields: dict[str, list[str]] = {}
        for key, value in form.items():
            fields.setdefault(key, []).append(str(value))
        if self.failures:
            status, code, text = self.failures.popleft()
            return self._error(status, code, text)
        to, from_ = form.get("To"), form.get("From")
        if not to or not from_:
            return self._error(400, 21604, "A 'To' and 'From' phone number is required.")
        if not (form.get("Body") or form.get("MediaUrl") or form.get("ContentSid")):
            return self._error(400, 21619, "A text message body or media urls must be specified.")
        body = form.get("Body")
        if isinstance(body, str) and len(body) > 1600:
            return self._error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        sid = f"SM{next(self._ids):032x}"
        message = SentMessage(
            sid=sid, to=str(to), from_=str(from_), body=str(body) if body is not None else None,
            media_url=fields.get("MediaUrl", []), content_sid=_str(form.get("ContentSid")),
            content_variables=_str(form.get("ContentVariables")),
            status_callback=_str(form.get("StatusCallback")), fields=fields,
        )
        self.messages.append(message)
        return web.json_response(self._resource(message), status=201)

    def _resource(self, m: SentMessage) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": m.body or "",
            "date_created": "Mon, 05 Jan 2026 09:00:00 +0000", "date_sent": None,
            "date_updated": "Mon, 05 Jan 2026 09:00:00 +0000", "direction": "outbound-api",
            "error_code": None, "error_message": None, "from": m.from_, "messaging_service_sid": None,
            "num_media": str(len(m.media_url)), "num_segments": "1", "price": None, "price_unit": None,
            "sid": m.sid, "status": "queued", "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{m.sid}/Media.json"},
            "to": m.to, "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{m.sid}.json",
        }

    async def _media(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return self._error(401, 20003, "Authenticate")
        found = self.media.get(request.match_info["name"])
        if found is None:
            return self._error(404, 20404, "The requested resource was not found")
        data, ctype = found
        return web.Response(body=data, content_type=ctype)


def _str(value: object) -> str | None:
    return str(value) if value is not None else None
