"""The benchmark's peer: a bare python-telegram-bot v22 echo bot behind an aiohttp webhook.

What it does for each update, and nothing more:
- ``POST /webhooks/telegram``: 403 unless ``X-Telegram-Bot-Api-Secret-Token`` matches, 400 for bad JSON,
  else ``Update.de_json`` and hand the update to the ``Application``;
- a text message: ``send_message(chat_id, text)`` (the same text back);
- a button press: ``send_message(chat_id, callback data)`` then ``answer_callback_query`` (our bot also
  answers callback queries, so both make the same Bot API calls).
No database, no state, no flood control (PTB's ``AIORateLimiter`` is not used).

The ``Application`` is built with ``.updater(None)`` and PTB's default request (``HTTPXRequest``, pool of
256 connections as ``ApplicationBuilder`` sets it). ``--mode`` picks how updates reach it:
``inline`` (default) awaits ``application.process_update(update)`` inside the webhook request, so each
request is its own task; ``queue`` puts the update on ``application.update_queue`` and answers 200 at once
(add ``--concurrent`` for ``concurrent_updates(True)``; without it PTB handles updates one at a time).

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:8081/bot TELEGRAM_WEBHOOK_SECRET=s \\
        python bench/echo_bot.py --port 8090
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import os
import signal

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await context.bot.send_message(message.chat_id, message.text)


async def echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    await context.bot.send_message(query.message.chat.id, query.data or "?")
    await query.answer()


def build_application(token: str, api_url: str, concurrent: bool) -> Application:  # type: ignore[type-arg, unused-ignore]
    builder = ApplicationBuilder().token(token).base_url(api_url).updater(None)
    if concurrent:
        builder = builder.concurrent_updates(True)
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_button))
    return application


def build_web(application: Application, secret: str, mode: str) -> web.Application:  # type: ignore[type-arg, unused-ignore]
    async def webhook(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return web.Response(status=403)
        try:
            update = Update.de_json(json.loads(await request.read()), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        if mode == "inline":
            await application.process_update(update)
        else:
            await application.update_queue.put(update)
        return web.Response()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/webhooks/telegram", webhook)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(args: argparse.Namespace) -> None:
    application = build_application(
        os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_URL"], args.concurrent
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with application:  # initialize (getMe) ... shutdown
        await application.start()
        runner = web.AppRunner(build_web(application, os.environ["TELEGRAM_WEBHOOK_SECRET"], args.mode),
                               access_log=None)
        await runner.setup()
        await web.TCPSite(runner, args.host, args.port).start()
        await stop.wait()
        await runner.cleanup()
        await application.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--mode", choices=["inline", "queue"], default="inline")
    parser.add_argument("--concurrent", action="store_true", help="concurrent_updates(True) (queue mode)")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
