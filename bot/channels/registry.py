"""The channels the service can run: one line each. A channel's module is imported only when enabled.

Add a channel: write ``bot/channels/<name>.py`` (see ``base``), then add its line to ``CHANNELS``.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.channels.base import Channel, ChannelBuilder, ChannelCore
    from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    title: str  # for people: "WhatsApp"
    module: str  # has ``build(settings, core) -> Channel``
    setting: str  # the Settings property that says whether it is on
    off_hint: str  # logged when the channel is off: what to configure

    def enabled(self, settings: Settings) -> bool:
        return bool(getattr(settings, self.setting))

    def builder(self) -> ChannelBuilder:
        builder: ChannelBuilder = importlib.import_module(self.module).build
        return builder


CHANNELS: list[ChannelSpec] = [
    ChannelSpec("telegram", "Telegram", "bot.channels.telegram", "telegram_enabled", "set TELEGRAM_BOT_TOKEN"),
    ChannelSpec("whatsapp", "WhatsApp", "bot.channels.whatsapp", "whatsapp_enabled",
                "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM"),
]


def build_channels(settings: Settings, core: ChannelCore) -> dict[str, Channel]:
    """The enabled channels by name, in ``CHANNELS`` order."""
    built: dict[str, Channel] = {}
    for spec in CHANNELS:
        if spec.enabled(settings):
            built[spec.name] = spec.builder()(settings, core)
    return built


def log_disabled(settings: Settings) -> None:
    for spec in CHANNELS:
        if not spec.enabled(settings):
            log.info("%s channel is off: %s", spec.title, spec.off_hint)
