"""python-telegram-bot's ``BaseRequest`` over one aiohttp ``ClientSession``: PTB's default httpx request
was ~10x slower in our measurements (see README).

``call`` is the short way for the calls made for nearly every update (``sendMessage`` of a text reply,
``answerCallbackQuery``): the parameters go out as one JSON body and the answer comes back as plain JSON,
through PTB's own ``post`` (same errors: ``RetryAfter``, ``Forbidden``, ``BadRequest``, ...) but without
building PTB objects for the parameters and for the ``Message`` returned, which cost more CPU than the HTTP
request itself in the inbound benchmark (bench/README.md).
"""

from __future__ import annotations

import json
from typing import Any, cast

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class JsonData:
    """Plain JSON-ready parameters (no files), encoded once; stands in for PTB's (final) ``RequestData``
    on the way through ``BaseRequest.post``, which hands it untouched to ``do_request`` below."""

    __slots__ = ("json_payload",)
    contains_files = False

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.json_payload = json.dumps(parameters, ensure_ascii=False).encode()


class AiohttpRequest(BaseRequest):
    """PTB's ``BaseRequest`` over an aiohttp ``ClientSession``."""

    def __init__(self, connections: int = 100, read_timeout: float = 30.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def call(self, base_url: str, method: str, parameters: dict[str, Any]) -> Any:
        """The Bot API's ``result`` for ``method`` (``base_url``: the bot's, with its token), as plain JSON."""
        return await self.post(f"{base_url}/{method}", cast(RequestData, JsonData(parameters)))

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=self._read_timeout),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | JsonData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        data: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            if isinstance(request_data, RequestData) and request_data.contains_files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, part in request_data.multipart_data.items():
                    filename, content, mimetype = part[0], part[1], part[2] if len(part) > 2 else None
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                # The Bot API takes JSON bodies; json.dumps in C costs a fraction of form-encoding
                # every field with urllib's quote (bench/broadcast.py: ~12% of the bot's CPU per send).
                data = request_data.json_payload
                headers = _JSON
        timeout = None
        if isinstance(read_timeout, int | float):
            timeout = aiohttp.ClientTimeout(total=None, connect=10, sock_read=read_timeout + 5)
        try:
            async with self._session.request(method, url, data=data, headers=headers, timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
