"""Settings, read once from the environment. Secrets live only here and are never logged."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from storage.db import DEFAULT_URL, normalise_database_url

__all__ = ["BUNDLED_CONTENT", "CHAT_VARIABLES", "ENVIRONMENT", "EnvVar", "Settings", "normalise_database_url"]

BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "content"


@dataclass(frozen=True)
class EnvVar:
    """One environment variable, for ``--help``: its name, default (as text, never a secret value), meaning."""

    name: str
    default: str
    meaning: str


# What ``Settings.from_env`` reads, in the README's order (``smce-bot serve --help`` lists them all).
ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar("HOST", "127.0.0.1", "where serve listens"),
    EnvVar("PORT", "8080", "its port"),
    EnvVar("REUSE_PORT", "off", "1: several serve workers listen on the same HOST:PORT (SO_REUSEPORT)"),
    EnvVar("DATABASE_URL", "sqlite:///smce.db, in the working directory",
           "SQLite file or postgresql://user@host/db"),
    EnvVar("CONTENT_DIR", "the bundled content/", "the content library (courses, FAQ)"),
    EnvVar("MEDIA_DIR", "media", "where the bot keeps its copies of photos"),
    EnvVar("PUBLIC_URL", "unset: Telegram polls", "public HTTPS base of this service (webhooks)"),
    EnvVar("TELEGRAM_BOT_TOKEN", "unset: Telegram off", "secret, from @BotFather"),
    EnvVar("TELEGRAM_WEBHOOK_SECRET", "derived from the token", "secret, checked on every webhook call"),
    EnvVar("TELEGRAM_API_URL", "https://api.telegram.org/bot", "Bot API base"),
    EnvVar("TELEGRAM_FILE_URL", "the API base's /file/bot", "file download base"),
    EnvVar("TELEGRAM_POLLING", "off", "1: long polling even with PUBLIC_URL"),
    EnvVar("TELEGRAM_RATE", "30", "messages/s per bot"),
    EnvVar("TELEGRAM_CHAT_RATE", "1", "messages/s per chat"),
    EnvVar("TELEGRAM_CHAT_BURST", "3", "burst per chat"),
    EnvVar("TWILIO_ACCOUNT_SID", "unset: WhatsApp off", "Twilio account SID (AC...)"),
    EnvVar("TWILIO_AUTH_TOKEN", "unset: WhatsApp off", "secret, Twilio auth token"),
    EnvVar("TWILIO_WHATSAPP_FROM", "unset: WhatsApp off", "the sender, e.g. whatsapp:+14155238886"),
    EnvVar("TWILIO_API_URL", "https://api.twilio.com", "Twilio API base"),
    EnvVar("TWILIO_RATE", "80", "messages/s through the WhatsApp sender (sandbox: 0.3)"),
    EnvVar("OUTBOX_UNCONFIRMED", "1", "messages a worker may have out before their result is written "
           "(a crash repeats at most that many)"),
    EnvVar("TWILIO_TEMPLATES", "unset", "JSON: message kind -> approved content SID"),
    EnvVar("LISTING_AUTO_APPROVE", "off", "1: publish listings without a moderator"),
    EnvVar("LISTING_DAYS", "60", "listings expire after this many days"),
    EnvVar("DEFAULT_TIMEZONE", "Asia/Bangkok", "time zone of people whose country gives none"),
    EnvVar("LOG_FORMAT", "text", "json: one JSON object a line (with the update id being handled)"),
    EnvVar("METRICS_HOST", "the main HOST", "address of a separate listener for /metrics"),
    EnvVar("METRICS_PORT", "unset: /metrics on the main app", "port of that separate listener"),
    EnvVar("METRICS_TOKEN", "unset", "secret: /metrics wants Authorization: Bearer <token>"),
    EnvVar("RETENTION_SEEN_DAYS", "30", "days inbound message ids are kept against duplicates"),
    EnvVar("RETENTION_OUTBOX_DAYS", "90", "days sent and failed outbox rows are kept"),
)

# What ``smce-bot chat`` uses of them (it never starts Telegram or WhatsApp).
CHAT_VARIABLES = ("DATABASE_URL", "CONTENT_DIR", "MEDIA_DIR", "LISTING_AUTO_APPROVE", "LISTING_DAYS",
                  "DEFAULT_TIMEZONE")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return float(raw) if raw not in (None, "") else default


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    reuse_port: bool = False  # several workers on one HOST:PORT (SO_REUSEPORT), PostgreSQL only
    database_url: str = DEFAULT_URL
    content_dir: Path = BUNDLED_CONTENT
    media_dir: Path = Path("media")
    public_url: str | None = None

    telegram_token: str | None = field(default=None, repr=False)
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_polling: bool = False
    # Telegram's flood limits: ~30 msg/s per bot, ~1 msg/s per private chat (short bursts tolerated).
    telegram_rate: float = 30.0
    telegram_chat_rate: float = 1.0
    telegram_chat_burst: int = 3

    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_whatsapp_from: str | None = None
    twilio_api_url: str | None = None
    twilio_rate: float = 80.0
    twilio_templates: str | None = None  # JSON: {"kind": "HX..."} approved templates by message kind
    outbox_unconfirmed: int = 1  # sends out before their result is written: what a crash may repeat

    listing_auto_approve: bool = False
    listing_days: int = 60
    default_timezone: str = "Asia/Bangkok"

    log_format: str = "text"
    metrics_host: str | None = None
    metrics_port: int | None = None
    metrics_token: str | None = field(default=None, repr=False)
    retention_seen_days: float = 30.0
    retention_outbox_days: float = 90.0

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        api = env.get("TELEGRAM_API_URL") or cls.telegram_api_url
        file_url = env.get("TELEGRAM_FILE_URL") or _file_base(api)
        db = env.get("DATABASE_URL") or cls.database_url
        return cls(
            host=env.get("HOST") or cls.host,
            port=int(env.get("PORT") or cls.port),
            reuse_port=_bool(env, "REUSE_PORT", False),
            database_url=normalise_database_url(db),
            content_dir=Path(env.get("CONTENT_DIR") or BUNDLED_CONTENT),
            media_dir=Path(env.get("MEDIA_DIR") or cls.media_dir),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_api_url=api,
            telegram_file_url=file_url,
            telegram_polling=_bool(env, "TELEGRAM_POLLING", False),
            telegram_rate=_float(env, "TELEGRAM_RATE", cls.telegram_rate),
            telegram_chat_rate=_float(env, "TELEGRAM_CHAT_RATE", cls.telegram_chat_rate),
            telegram_chat_burst=int(_float(env, "TELEGRAM_CHAT_BURST", cls.telegram_chat_burst)),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_whatsapp_from=env.get("TWILIO_WHATSAPP_FROM") or None,
            twilio_api_url=(env.get("TWILIO_API_URL") or "").rstrip("/") or None,
            twilio_rate=_float(env, "TWILIO_RATE", cls.twilio_rate),
            twilio_templates=env.get("TWILIO_TEMPLATES") or None,
            outbox_unconfirmed=max(1, int(_float(env, "OUTBOX_UNCONFIRMED", cls.outbox_unconfirmed))),
            listing_auto_approve=_bool(env, "LISTING_AUTO_APPROVE", False),
            listing_days=int(_float(env, "LISTING_DAYS", cls.listing_days)),
            default_timezone=env.get("DEFAULT_TIMEZONE") or cls.default_timezone,
            log_format=(env.get("LOG_FORMAT") or cls.log_format).strip().lower(),
            metrics_host=env.get("METRICS_HOST") or None,
            metrics_port=int(env["METRICS_PORT"]) if env.get("METRICS_PORT") else None,
            metrics_token=env.get("METRICS_TOKEN") or None,
            retention_seen_days=_float(env, "RETENTION_SEEN_DAYS", cls.retention_seen_days),
            retention_outbox_days=_float(env, "RETENTION_OUTBOX_DAYS", cls.retention_outbox_days),
        )

    def replace(self, **changes: object) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def _file_base(api_url: str) -> str:
    """``http://host/bot`` → ``http://host/file/bot`` (the Bot API's file download base)."""
    head, sep, tail = api_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else api_url + "/file"
