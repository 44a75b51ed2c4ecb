"""Inbound benchmark: updates/s and time to reply through the webhook, our bot against two bare echo bots.

One run, same load, same fake Bot API (``bench/fake_api.py``, its own process):

- **ours**: ``python -m bot serve`` (what ``smce-bot serve`` runs) on a fresh SQLite file (and, with
  ``--postgres URL``, on PostgreSQL as a second row), bundled content, flood limits raised through
  ``TELEGRAM_RATE`` / ``TELEGRAM_CHAT_RATE`` / ``TELEGRAM_CHAT_BURST`` (the fake does not enforce them and
  the echo bots have none). The database is seeded with onboarded learners, one per chat.
- **echo (PTB)**: ``bench/echo_bot.py``, a bare python-telegram-bot v22 echo bot behind an aiohttp webhook.
- **echo (aiogram)**: ``bench/aiogram_echo.py``, a bare aiogram 3 echo bot behind aiogram's own aiohttp
  webhook handler (``SimpleRequestHandler`` with the secret token); ``pip install -e '.[bench]'``.

The load: ``--chats`` distinct private chats, each a learner who, one step after the other, sends
``/menu``, presses *Courses*, a course, *Start* (lesson 1, plus its first quiz question when it has one),
answers that question (or presses *Next lesson* when lesson 1 has no quiz) and presses *My progress*,
then starts again. Updates are real-shaped (from ``tests/fixtures/payloads/telegram_*_update.json``)
with unique ``update_id``s. ``--concurrency`` workers (default 50) post them round-robin over the chats;
a chat's next update is posted only once the fake has received a reply to its previous one (a learner
reads before pressing), which also makes matching replies to updates exact. The echo bots get the very
same updates and answer each with one ``sendMessage`` (plus ``answerCallbackQuery`` for presses).

Measured per run: updates/s = updates / (last reply received by the fake - first post); time to reply
= from posting an update to the fake receiving the first send to that chat after it (p50 / p99). A short
warm-up on other chats comes first and is not counted. Every round runs every bot (the order rotates
from round to round); the table shows medians over rounds and ours ÷ each echo's median updates/s.

Run from the repository root; the table goes to stdout (``--out FILE`` also writes it to FILE), process
logs to ``bench/results/`` (``--logs``):

    .venv/bin/python bench/inbound.py              # defaults: 3 rounds, 2400 updates, 50 in flight
    .venv/bin/python bench/inbound.py -n 6000 -c 100 --postgres postgresql://postgres@127.0.0.1/x
    .venv/bin/python bench/inbound.py -n 200 --rounds 1 --warmup 0    # a quick smoke run
"""

# Process start-up, temp files and the report block the loop briefly, outside the measured part:
# ruff: noqa: ASYNC109, ASYNC220, ASYNC240
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from inbound_load import ROOT, SECRET, RunResult, Updates, drive, free_port, learner_script, plan, seed

TOKEN = "123456:BENCH-token"
FIRST_CHAT = 700_000_000
WARMUP_CHAT = 900_000_000
LOGS = ROOT / "bench" / "results"  # gitignored


# --- processes ------------------------------------------------------------------------------------


def python() -> str:
    return sys.executable


async def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
            try:
                async with http.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far; NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def profiler(bot: Bot, args: argparse.Namespace, pid: int, logs: Path) -> subprocess.Popen[bytes]:
    """py-spy attached to the running bot for the measured part only (not start-up or warm-up)."""
    name = "".join(ch for ch in bot.label if ch.isalnum())
    out = logs / f"profile-{name}.{'svg' if args.profile == 'flamegraph' else 'txt'}"
    return subprocess.Popen([str(Path(python()).parent / "py-spy"), "record", "--format", args.profile, "-r", "200",
                             "-o", str(out), "--pid", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@dataclass
class Bot:
    label: str
    kind: str  # "ours", "ptb" or "aiogram"
    database_url: str | None = None


async def run_one(bot: Bot, args: argparse.Namespace, fake_url: str, load: list[tuple[int, bytes]],
                  warmup: list[tuple[int, bytes]], chats: list[int], logs: Path) -> RunResult:
    port = free_port()
    env = dict(os.environ)
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"{fake_url}/bot", TELEGRAM_WEBHOOK_SECRET=SECRET,
               HOST="127.0.0.1", PORT=str(port), PYTHONPATH=str(ROOT))
    work = Path(tempfile.mkdtemp(prefix=f"bench-{bot.kind}-"))
    try:
        if bot.kind == "ours":
            url = bot.database_url or f"sqlite:///{work}/bench.db"
            await seed(url, chats)
            env.update(
                DATABASE_URL=url,
                MEDIA_DIR=str(work / "media"),
                PUBLIC_URL=f"http://127.0.0.1:{port}",  # webhook mode (no long polling)
                TELEGRAM_RATE="100000", TELEGRAM_CHAT_RATE="1000", TELEGRAM_CHAT_BURST="1000",
            )
            env.pop("CONTENT_DIR", None)
            cmd = [python(), "-m", "bot", "serve"]
        elif bot.kind == "aiogram":
            cmd = [python(), str(ROOT / "bench" / "aiogram_echo.py"), "--port", str(port)]
            if args.aiogram_inline:
                cmd.append("--inline")
        else:
            cmd = [python(), str(ROOT / "bench" / "echo_bot.py"), "--port", str(port), "--mode", args.echo_mode]
            if args.echo_concurrent:
                cmd.append("--concurrent")
        log_file = (logs / f"{bot.kind}.log").open("ab")
        proc = subprocess.Popen(cmd, env=env, cwd=work, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            bot_url = f"http://127.0.0.1:{port}"
            await wait_http(f"{bot_url}/healthz", proc)
            if warmup:
                await drive(bot.label, bot_url, fake_url, warmup, args.concurrency)
            spy = profiler(bot, args, proc.pid, logs) if args.profile and bot.kind == "ours" else None
            cpu_before = cpu_seconds(proc.pid)
            result = await drive(bot.label, bot_url, fake_url, load, args.concurrency)
            result.cpu_seconds = cpu_seconds(proc.pid) - cpu_before
            if spy:
                stop(spy)
        finally:
            stop(proc)
            log_file.close()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------


def fmt(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def ratio(rate: float, peer: float, *, bold: bool) -> str:
    if not peer == peer or peer <= 0:  # that peer did not run (NaN)
        return "—"
    text = f"{rate / peer:.2f}"
    return f"**{text}**" if bold else text


def report(results: dict[str, list[RunResult]], bots: list[Bot], args: argparse.Namespace,
           took: float) -> str:
    def median_rate(kind: str) -> float:
        bot = next((b for b in bots if b.kind == kind), None)
        return statistics.median(r.rate for r in results[bot.label]) if bot else float("nan")

    peers = {"ptb": median_rate("ptb"), "aiogram": median_rate("aiogram")}
    lines = [
        "# Inbound benchmark: our bot vs bare python-telegram-bot and aiogram echo bots",
        "",
        f"{args.n} updates per run over {args.chats} chats, {args.concurrency} in flight, {args.rounds} rounds "
        f"of every bot in turn (medians shown; each round's value in brackets), after a {args.warmup}-update "
        f"warm-up. Machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average at the end "
        f"{os.getloadavg()[0]:.1f} (other work on the machine shares the cores). Whole run: {took:.0f}s.",
        "",
        "| bot | updates/s | time to reply p50 (ms) | p99 (ms) | bot CPU ms / update | Bot API sends / update "
        "| unanswered | HTTP errors | ÷ PTB echo | ÷ aiogram echo |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for bot in bots:
        rs = results[bot.label]
        rate = statistics.median(r.rate for r in rs)
        p50 = statistics.median(r.pct(50) for r in rs)
        p99 = statistics.median(r.pct(99) for r in rs)
        per = statistics.median(r.sends / r.updates for r in rs)
        cpu = statistics.median(r.cpu_ms_per_update for r in rs)
        each = ", ".join(fmt(r.rate) for r in rs)
        ratios = " | ".join(ratio(rate, peer, bold=bot.kind == "ours") if bot.kind != kind else "—"
                            for kind, peer in peers.items())
        lines.append(
            f"| {bot.label} | {fmt(rate)} [{each}] | {fmt(p50, 1)} | {fmt(p99, 1)} | {cpu:.2f} | {per:.2f} | "
            f"{sum(r.unanswered for r in rs)} | {sum(r.http_errors for r in rs)} | {ratios} |"
        )
    lines += [
        "",
        "- **ours**: `python -m bot serve` (= `smce-bot serve`), webhook `POST /webhooks/telegram` with the "
        "secret header; per update one database transaction (dedupe row, user + address lock/update, state, "
        "lesson progress / quiz answer, outbox rows; the per-message statements on the driver, storage/raw.py), "
        "200 after commit, carrying `answerCallbackQuery` for a button press (Telegram makes that call itself; "
        "the fake does not see it, the echo bots make it as a request); the outbox worker sends after commit "
        "(text replies as JSON through PTB's request over aiohttp, no PTB objects) and writes each result before "
        "the next send (`OUTBOX_UNCONFIRMED=1`). Database seeded with one onboarded learner per chat; bundled "
        "content.",
        "- Each learner: `/menu` → *Courses* → a course → *Start* (lesson 1, and its first quiz question if it "
        "has one) → the right answer (or *Next lesson*) → *My progress*, then again.",
        "- **PTB echo**: `bench/echo_bot.py`, PTB v22 `Application` (`.updater(None)`, default `HTTPXRequest`), "
        f"`Update.de_json` in an aiohttp webhook, mode `{args.echo_mode}`"
        f"{' + concurrent_updates' if args.echo_concurrent else ''}; one `sendMessage` echo per update "
        "(+ `answerCallbackQuery` for presses). No database.",
        "- **aiogram echo**: `bench/aiogram_echo.py`, aiogram 3 `Dispatcher` behind aiogram's "
        "`SimpleRequestHandler` (aiohttp, `secret_token`), default `AiohttpSession`, handling "
        f"{'inline (before the 200)' if args.aiogram_inline else 'in the background (aiogram default: 200 first)'}; "
        "the same calls as the PTB echo, through the Bot API. No database.",
        "- Same fake Bot API process for both (`bench/fake_api.py`, no latency, **no flood limits**). Ours runs "
        "with Telegram's limits raised (`TELEGRAM_RATE=100000`, `TELEGRAM_CHAT_RATE=1000`, "
        "`TELEGRAM_CHAT_BURST=1000`); the echo bots have no limiter at all. With real limits (30 msg/s per bot) "
        "both would be capped far below these numbers.",
        "- updates/s = updates ÷ (last reply received by the fake − first post). Time to reply = post → the "
        "fake receives the first send to that chat. A chat's next update waits for the reply to its previous "
        "one (a learner reads first).",
    ]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace) -> int:
    started = time.monotonic()
    logs = Path(args.logs) if args.logs else LOGS
    logs.mkdir(parents=True, exist_ok=True)
    fake_port = free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    fake_log = (logs / "fake_api.log").open("ab")
    fake = subprocess.Popen([python(), str(ROOT / "bench" / "fake_api.py"), "--port", str(fake_port),
                             "--token", TOKEN], stdout=fake_log, stderr=subprocess.STDOUT)
    try:
        await wait_http(f"{fake_url}/_bench/records", fake)
        scripts = learner_script()
        updates = Updates()
        chats = [FIRST_CHAT + i for i in range(args.chats)]
        warm_chats = [WARMUP_CHAT + i for i in range(max(1, min(args.chats, args.warmup // 6 or 1)))]
        bots = [Bot("ours (SQLite)", "ours")]
        if args.postgres:
            bots.append(Bot("ours (PostgreSQL)", "ours", args.postgres))
        bots += [Bot("echo (bare PTB)", "ptb"), Bot("echo (bare aiogram 3)", "aiogram")]
        if args.only:
            bots = [b for b in bots if b.kind in args.only]
        results: dict[str, list[RunResult]] = {b.label: [] for b in bots}
        for round_no in range(args.rounds):
            shift = round_no % len(bots)
            order = bots[shift:] + bots[:shift]
            for bot in order:
                load = plan(args.n, args.chats, FIRST_CHAT, scripts, updates)
                warmup = plan(args.warmup, len(warm_chats), WARMUP_CHAT, scripts, updates) if args.warmup else []
                r = await run_one(bot, args, fake_url, load, warmup, chats + warm_chats, logs)
                results[bot.label].append(r)
                print(f"round {round_no + 1} {bot.label:20s} {r.rate:8.0f} updates/s  p50 {r.pct(50):7.1f} ms  "
                      f"p99 {r.pct(99):7.1f} ms  sends {r.sends}  unanswered {r.unanswered}  "
                      f"CPU {r.cpu_ms_per_update:.2f} ms/update  http errors {r.http_errors}  "
                      f"gate waits timed out {r.gate_timeouts}  load {os.getloadavg()[0]:.1f}", flush=True)
        table = report(results, bots, args, time.monotonic() - started)
        print()
        print(table)
        if args.out:
            Path(args.out).write_text(table)
            print(f"written to {args.out}")
    finally:
        stop(fake)
        fake_log.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2400, help="updates per run (default 2400)")
    parser.add_argument("-c", "--concurrency", type=int, default=50, help="posts in flight (default 50)")
    parser.add_argument("--chats", type=int, default=0, help="distinct chats (default n/6, at least 4x concurrency)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300, help="warm-up updates per run, not measured")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("BENCH_POSTGRES_URL"),
                        help="also run ours on this PostgreSQL database (its public schema is DROPPED)")
    parser.add_argument("--echo-mode", choices=["inline", "queue"], default="inline")
    parser.add_argument("--echo-concurrent", action="store_true", help="echo: concurrent_updates(True)")
    parser.add_argument("--aiogram-inline", action="store_true",
                        help="aiogram echo: handle each update before the 200 (default: aiogram's background)")
    parser.add_argument("--profile", choices=["flamegraph", "raw"], default=None,
                        help="record our bot under py-spy (pip install py-spy) during the measured part: a "
                             "flamegraph .svg or collapsed stacks .txt in --logs")
    parser.add_argument("--only", nargs="+", choices=["ours", "ptb", "aiogram"],
                        help="run only these bots (e.g. --only ours for profiling)")
    parser.add_argument("--logs", default=None, help="directory for process logs and profiles (default: bench/results)")
    parser.add_argument("--out", default=None, metavar="FILE", help="also write the Markdown table to this file")
    args = parser.parse_args()
    if not args.chats:
        args.chats = max(args.n // 6, 4 * args.concurrency)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
