"""A lean fake Telegram Bot API for benchmarks, run in its own process.

Same HTTP shapes as ``tests/fakes/telegram_api.py`` (``POST /bot<token>/<method>`` with form, JSON or
multipart fields; ``{"ok": true, "result": ...}`` answers; a real-shaped ``Message`` for sends), but it
keeps only what the benchmark needs: for every send, the chat id and the time it arrived
(``time.monotonic()``, which on Linux is one clock for all processes, so the load generator can compare
it with its own post times). It enforces no flood limits and adds no delay.

Control routes for the load generator: ``GET /_bench/records?since=i`` (sends from the i-th on, as
``[[chat_id, t, method], ...]``, and counts of other calls), ``POST /_bench/reset``.

    python bench/fake_api.py --port 8081 --token 123:abc
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import BodyPartReader, web

BOT_USER = {"id": 6097692400, "is_bot": True, "first_name": "SMCE", "username": "smce_bench_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}


class LeanFake:
    def __init__(self, token: str) -> None:
        self.token = token
        self.sends: list[tuple[int, float, str]] = []
        self.other_calls: dict[str, int] = {}
        self._ids = itertools.count(1000)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        ctype = request.content_type
        if ctype == "application/json":
            return dict(await request.json())
        if ctype.startswith("multipart/"):
            params: dict[str, Any] = {}
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.filename:
                    await part.read()
                    params[part.name or "file"] = b""
                else:
                    params[part.name or ""] = await part.text()
            return params
        return dict(await request.post())

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        now = time.monotonic()
        if method in SEND_METHODS:
            chat_id = int(params.get("chat_id", 0))
            self.sends.append((chat_id, now, method))
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
            if method == "sendPhoto":
                file_id = params["photo"] if isinstance(params.get("photo"), str) and params["photo"] else "up-1"
                message["photo"] = [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 800,
                                     "height": 600, "file_size": 1000}]
            result: Any = message
        else:
            self.other_calls[method] = self.other_calls.get(method, 0) + 1
            if method == "getMe":
                result = BOT_USER
            elif method == "getUpdates":
                await asyncio.sleep(min(float(params.get("timeout", 0) or 0), 5.0))
                result = []
            else:
                result = True  # setWebhook, deleteWebhook, answerCallbackQuery, ...
        return web.json_response({"ok": True, "result": result})

    async def records(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        body = {"sends": self.sends[since:], "total": len(self.sends), "other": self.other_calls}
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def reset(self, _: web.Request) -> web.Response:
        self.sends = []
        self.other_calls = {}
        return web.json_response({"ok": True})

    def app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_get("/_bench/records", self.records)
        app.router.add_post("/_bench/reset", self.reset)
        app.router.add_post("/bot{token}/{method}", self.handle)
        app.router.add_get("/bot{token}/{method}", self.handle)
        return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    web.run_app(LeanFake(args.token).app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
