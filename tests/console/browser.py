"""What the console's browser tests share: Debian's chromium driven by Playwright (never Playwright's own
browser download), where screenshots go, and the console served on a real loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.service import Service
from tests.console.conftest import console_web_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.async_api",
                                     reason="playwright is not installed (pip install playwright)")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="no /usr/bin/chromium: apt-get install -y chromium (as .ci/run does)")


async def serve(service: Service) -> AsyncIterator[str]:
    """The service's web app with the console on a free loopback port: its base URL, while it runs."""
    runner = web.AppRunner(console_web_app(service))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()
