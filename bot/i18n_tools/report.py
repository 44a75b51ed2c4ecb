"""Translation coverage per language: UI strings (the catalogs) and content texts (the course library)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.i18n_tools import catalogs


@dataclass
class Coverage:
    language: str
    ui_done: int
    ui_total: int
    content_done: int
    content_total: int


def coverage(content_dir: Path | None = None) -> list[Coverage]:
    from content import load_library

    template = catalogs.extract_template()
    ids = [m for m in template if m.id]
    library, _ = load_library(content_dir or catalogs.ROOT / "content")
    total = library.text_count()
    missing_content = library.missing_translations(LANGUAGES)
    rows = [Coverage(DEFAULT_LANGUAGE, len(ids), len(ids), total - missing_content[DEFAULT_LANGUAGE], total)]
    for lang in catalogs.TRANSLATED:
        done = 0
        if catalogs.po_path(lang).exists():
            catalog = catalogs.read_catalog(lang)
            for message in ids:
                found = catalog.get(message.id, message.context)
                done += found is not None and catalogs.is_translated(found)
        rows.append(Coverage(lang, done, len(ids), total - missing_content[lang], total))
    return rows


def _pct(done: int, total: int) -> str:
    return f"{100 * done // total}%" if total else "-"


def format_report(rows: Sequence[Coverage], markdown: bool = False) -> str:
    header = ("Language", "Code", "UI strings", "Content texts")
    lines = [
        (LANGUAGES[r.language].native_name, r.language,
         f"{r.ui_done}/{r.ui_total} ({_pct(r.ui_done, r.ui_total)})",
         f"{r.content_done}/{r.content_total} ({_pct(r.content_done, r.content_total)})")
        for r in rows
    ]
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in [header, *lines])
