"""A local fake of the Telegram Bot API on loopback, speaking its real HTTP shapes.

``POST /bot<token>/<method>`` with form or JSON fields (multipart for uploads), answering
``{"ok": true, "result": ...}`` or Telegram's error shape. It records every call, can be told to fail
(``fail_next``) and can enforce flood limits with real 429 answers (``flood``), scaled for fast tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 6097692400, "is_bot": True, "first_name": "SMCE", "username": "smce_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Flood:
    """Telegram's limits, scaled: ``per_bot`` messages/s overall, ``per_chat`` messages/s per chat."""

    per_bot: float = 30.0
    per_chat: float = 1.0
    chat_burst: int = 3
    retry_after: int = 1
    window: float = 1.0
    _all: deque[float] = field(default_factory=deque)
    _chats: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def check(self, chat: str, now: float) -> bool:
        """True if this message may pass; records it if so."""
        horizon = now - self.window
        while self._all and self._all[0] < horizon:
            self._all.popleft()
        chat_q = self._chats[chat]
        while chat_q and chat_q[0] < now - max(self.window, self.chat_burst / self.per_chat):
            chat_q.popleft()
        if len(self._all) >= self.per_bot * self.window:
            return False
        if len(chat_q) >= max(self.chat_burst, 1):
            return False
        self._all.append(now)
        chat_q.append(now)
        return True


class FakeTelegramAPI:
    SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"}

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.failures: deque[tuple[str | None, int, str, dict[str, Any] | None]] = deque()
        self.blocked_chats: set[str] = set()
        self.flood: Flood | None = None
        self.rejected_429 = 0
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.delay = 0.0
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- control ---------------------------------------------------------------------------------
    def fail_next(self, status: int, description: str, method: str | None = None,
                  parameters: dict[str, Any] | None = None) -> None:
        self.failures.append((method, status, description, parameters))

    def sent(self, chat_id: int | str | None = None) -> list[Call]:
        return [c for c in self.calls if c.method in self.SEND_METHODS
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.sent(chat_id)]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- server ----------------------------------------------------------------------------------
    async def start(self) -> FakeTelegramAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        params: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:  # type: ignore[union-attr]
                    params[part.name or "file"] = await part.read()  # type: ignore[union-attr]
                else:
                    params[part.name or ""] = await part.text()  # type: ignore[union-attr]
            return params
        form = await request.post()
        for key, value in form.items():
            params[key] = value
        return params

    @staticmethod
    def _decode(params: dict[str, Any]) -> dict[str, Any]:
        for key in ("reply_markup", "allowed_updates", "link_preview_options", "entities"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass
        return params

    def _error(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = self._decode(await self._params(request))
        if self.delay:
            await asyncio.sleep(self.delay)
        now = time.monotonic()
        if self.failures and self.failures[0][0] in (None, method):
            _, status, description, parameters = self.failures.popleft()
            self.calls.append(Call(method + "!failed", params, now))
            return self._error(status, description, parameters)
        chat = str(params.get("chat_id", ""))
        if method in self.SEND_METHODS:
            if chat in self.blocked_chats:
                return self._error(403, "Forbidden: bot was blocked by the user")
            if self.flood is not None and not self.flood.check(chat, now):
                self.rejected_429 += 1
                ra = self.flood.retry_after
                return self._error(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra})
        self.calls.append(Call(method, params, now))
        return web.json_response({"ok": True, "result": self._result(method, params)})

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "User"},
            "date": int(time.time()),
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        if "reply_markup" in params and isinstance(params["reply_markup"], dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method == "sendPhoto":
            message = self._message(params)
            file_id = params["photo"] if isinstance(params.get("photo"), str) else f"uploaded-{len(self.calls)}"
            message["photo"] = [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800,
                                 "height": 600, "file_size": 1000}]
            return message
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return updates
        if method == "getFile":
            file_id = str(params.get("file_id"))
            return {"file_id": file_id, "file_unique_id": file_id[-8:], "file_size": len(self.files.get(file_id, b"")),
                    "file_path": file_id}
        return True  # setWebhook, deleteWebhook, answerCallbackQuery, ...
