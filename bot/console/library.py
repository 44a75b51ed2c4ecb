"""The content library the console shows: the folder the bot was started with (``CONTENT_DIR``), read once
per folder and kept (the bot itself reads it once at start). ``fresh_library`` reads it again, with the
problems ``smce-bot content check`` would report: the content page shows the files as they are now."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from content import Library, Problem, load_library

_LOADED: dict[Path, Library] = {}


def console_library(settings: Settings) -> Library:
    root = Path(settings.content_dir).resolve()
    library = _LOADED.get(root)
    if library is None:
        library, _ = load_library(root)
        _LOADED[root] = library
    return library


def fresh_library(settings: Settings) -> tuple[Library, list[Problem]]:
    return load_library(Path(settings.content_dir))
