"""The benchmark's second peer: a bare aiogram 3 echo bot behind aiogram's own aiohttp webhook handler.

What it does for each update, and nothing more:
- ``POST /webhooks/telegram`` is aiogram's ``SimpleRequestHandler`` with ``secret_token`` (401 unless
  ``X-Telegram-Bot-Api-Secret-Token`` matches), which parses the body into aiogram's pydantic ``Update``
  and feeds it to the ``Dispatcher``;
- a text message: ``bot.send_message(chat_id, text)`` (the same text back);
- a button press: ``bot.send_message(chat_id, callback data)`` then ``answer_callback_query`` (the same Bot
  API calls as ``bench/echo_bot.py`` and our bot).
Replies go through the Bot API (never as the webhook's response body), so the fake sees every one.
No database, no state, no flood control.

The ``Bot`` uses aiogram's default ``AiohttpSession`` pointed at the fake (``TELEGRAM_API_URL`` minus its
``/bot`` tail). ``SimpleRequestHandler`` answers 200 at once and handles the update in a background task
(aiogram's default, ``handle_in_background=True``); ``--inline`` makes it handle the update before
answering, as our bot and the PTB echo do.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:8081/bot TELEGRAM_WEBHOOK_SECRET=s \\
        python bench/aiogram_echo.py --port 8091
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web


async def echo_text(message: Message, bot: Bot) -> None:
    if message.text is None:
        return
    await bot.send_message(message.chat.id, message.text)


async def echo_button(query: CallbackQuery, bot: Bot) -> None:
    if query.message is None:
        return
    await bot.send_message(query.message.chat.id, query.data or "?")
    await query.answer()


def api_base(url: str) -> str:
    """PTB-style ``http://host:port/bot`` (what the bench passes) to aiogram's base ``http://host:port``."""
    url = url.rstrip("/")
    return url[: -len("/bot")] if url.endswith("/bot") else url


def build_bot(token: str, api_url: str) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base(api_url))))


def build_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.message.register(echo_text)
    dispatcher.callback_query.register(echo_button)
    return dispatcher


def build_web(bot: Bot, dispatcher: Dispatcher, secret: str, inline: bool) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=not inline, secret_token=secret).register(
        app, path="/webhooks/telegram"
    )
    app.router.add_get("/healthz", healthz)
    return app


async def serve(args: argparse.Namespace) -> None:
    bot = build_bot(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_URL"])
    dispatcher = build_dispatcher()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(build_web(bot, dispatcher, os.environ["TELEGRAM_WEBHOOK_SECRET"], args.inline),
                           access_log=None)
    await runner.setup()
    await web.TCPSite(runner, args.host, args.port).start()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()  # closes the bot's session (the handler's on_shutdown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--inline", action="store_true", help="handle each update before answering the webhook")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
