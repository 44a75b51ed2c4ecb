"""GET /metrics (Prometheus text), who may read it, and GET /readyz."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.media import MediaStore
from bot.metrics import sample, serve_on_main
from bot.service import Service
from bot.types import Reply
from bot.web import build_app
from tests.fakes.whatsapp import queue


async def scrape(service: Service, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    async with TestClient(TestServer(service.web_app())) as client:
        resp = await client.get("/metrics", headers=headers or {})
        return resp.status, await resp.read()


async def test_metrics_count_updates_sends_jobs_and_read_the_backlog(chat_user, service: Service, clock) -> None:
    ana = chat_user("terminal:ana")
    labels = {"channel": "terminal", "outcome": "handled"}
    handled, sent = sample("smce_updates_total", labels), sample("smce_sends_total", {"channel": "terminal",
                                                                                       "result": "ok"})
    await ana.say("/start")
    assert sample("smce_updates_total", labels) == handled + 1
    assert sample("smce_sends_total", {"channel": "terminal", "result": "ok"}) > sent
    assert sample("smce_handler_seconds_count", {"channel": "terminal"}) >= 1
    duplicates = sample("smce_updates_total", {"channel": "terminal", "outcome": "duplicate"})
    from bot.types import Inbound

    msg = Inbound(channel="terminal", address="terminal:ana", external_id="same", text="hi")
    await service.engine.handle(msg)
    await service.engine.handle(msg)
    assert sample("smce_updates_total", {"channel": "terminal", "outcome": "duplicate"}) == duplicates + 1

    runs = sample("smce_job_runs_total", {"job": "retention", "result": "ok"})
    await service.scheduler.run_once()
    assert sample("smce_job_runs_total", {"job": "retention", "result": "ok"}) == runs + 1

    await queue(service, "whatsapp:+85620", Reply("waiting"))  # no WhatsApp sender here: it stays pending
    clock.advance(seconds=90)
    status, body = await scrape(service)  # the main app listens on 127.0.0.1 by default: served
    assert status == 200
    assert sample("smce_outbox_pending", text=body) >= 1
    assert sample("smce_outbox_oldest_reply_age_seconds", text=body) == 90
    assert b"smce_updates_total" in body and b"smce_handler_seconds_bucket" in body


async def test_metrics_need_the_token_when_one_is_set(make_service) -> None:
    service = await make_service(metrics_token="s3cret-metrics-token", host="0.0.0.0")
    assert (await scrape(service))[0] == 401
    assert (await scrape(service, {"Authorization": "Bearer wrong"}))[0] == 401
    assert (await scrape(service, {"Authorization": "Bearer s3cret-metrics-token"}))[0] == 200


async def test_metrics_are_not_public_on_a_public_listener_without_a_token(make_service) -> None:
    assert (await scrape(await make_service(host="0.0.0.0")))[0] == 404
    assert (await scrape(await make_service(metrics_port=9100)))[0] == 404  # they have their own listener
    assert serve_on_main("::1", None, None) and not serve_on_main("10.0.0.5", None, None)


async def test_webhook_calls_answered_with_a_4xx_count_as_rejected(tmp_path: Path) -> None:
    async def refuse(_: web.Request) -> web.Response:
        raise web.HTTPForbidden()

    app = build_app(MediaStore(tmp_path), [web.post("/webhooks/telegram", refuse)])
    before = sample("smce_updates_total", {"channel": "telegram", "outcome": "rejected"})
    async with TestClient(TestServer(app)) as client:
        assert (await client.post("/webhooks/telegram", data=b"{}")).status == 403
    assert sample("smce_updates_total", {"channel": "telegram", "outcome": "rejected"}) == before + 1


MULTI = """
import sys
from bot.metrics import count_send, render
from datetime import datetime, UTC
if sys.argv[1] == "count":
    count_send("telegram", "ok")
else:
    sys.stdout.write(render(None, datetime.now(UTC)).decode())
"""


def test_several_workers_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two worker processes each send one message
        subprocess.run([sys.executable, "-c", MULTI, "count"], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", MULTI, "show"], env=env, check=True, capture_output=True).stdout
    assert sample("smce_sends_total", {"channel": "telegram", "result": "ok"}, text=out) == 2


async def test_readyz_says_what_is_missing(make_service, wa_service: Service) -> None:
    async with TestClient(TestServer(wa_service.web_app())) as client:
        resp = await client.get("/readyz")
        assert resp.status == 200
        assert await resp.json() == {"ready": True, "database": "ok", "migrations": "ok", "channels": ["whatsapp"]}
        assert (await client.get("/healthz")).status == 200
        async with wa_service.db.transaction() as session:
            head = await session.scalar(text("SELECT version_num FROM alembic_version"))
            await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        resp = await client.get("/readyz")
        assert resp.status == 503 and "0001" in (await resp.json())["migrations"]
        async with wa_service.db.transaction() as session:
            await session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    bare = await make_service()  # no Telegram, no WhatsApp
    async with TestClient(TestServer(bare.web_app())) as client:
        resp = await client.get("/readyz")
        assert resp.status == 503 and (await resp.json())["channels"] == "none configured"

