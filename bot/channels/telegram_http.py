"""python-telegram-bot's ``BaseRequest`` over one aiohttp ``ClientSession``: PTB's default httpx request
was ~10x slower in our measurements (see README)."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """PTB's ``BaseRequest`` over an aiohttp ``ClientSession``."""

    def __init__(self, connections: int = 100, read_timeout: float = 30.0) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

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
        request_data: RequestData | None = None,
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
            if request_data.contains_files:
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
