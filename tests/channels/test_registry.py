"""The channel registry: enabled channels built from settings, each satisfying the ``Channel`` protocol."""

from __future__ import annotations

from pathlib import Path

from bot.channels.base import ChannelCore, GoesLive, MediaSource
from bot.channels.registry import CHANNELS, build_channels
from bot.config import Settings
from bot.context import ManualClock
from bot.deliveries import Deliveries
from bot.media import MediaStore
from storage.db import Database


async def test_enabled_channels_are_built_in_registry_order(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    core = ChannelCore(None, MediaStore(tmp_path / "media"), Deliveries(db), ManualClock())  # type: ignore[arg-type]
    assert build_channels(Settings(), core) == {}
    settings = Settings(telegram_token="123:abc", twilio_account_sid="AC1", twilio_auth_token="t",
                        twilio_whatsapp_from="+14155238886", public_url="https://bot.example.org")
    channels = build_channels(settings, core)
    assert list(channels) == [spec.name for spec in CHANNELS] == ["telegram", "whatsapp"]
    for name, channel in channels.items():
        assert channel.name == channel.sender.channel == name
        assert channel.limits.rate == channel.sender.rate and channel.limits.text_length > 0
        assert all(route.path.startswith(f"/webhooks/{name}") for route in channel.routes())  # type: ignore[attr-defined]
        assert isinstance(channel, MediaSource)
    assert isinstance(channels["telegram"], GoesLive) and not isinstance(channels["whatsapp"], GoesLive)
    assert channels["telegram"].limits.button_label == 64 and channels["whatsapp"].limits.buttons is None
    await db.close()
