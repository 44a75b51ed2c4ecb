"""``smce-bot i18n ...``: the translation commands (extract, update, compile, check, todo, fill, report).

``add_commands`` is listed in ``bot.cli.FEATURE_COMMANDS``; the work is done by ``bot.i18n_tools.catalogs``
and ``bot.i18n_tools.report``. Runtime translation is ``bot.i18n``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.i18n_tools import catalogs, report

if TYPE_CHECKING:
    from bot.config import Settings


def _langs(args: argparse.Namespace) -> tuple[str, ...]:
    chosen = tuple(args.lang or catalogs.TRANSLATED)
    unknown = [lang for lang in chosen if lang not in catalogs.TRANSLATED]
    if unknown:
        raise SystemExit(f"unknown language(s): {', '.join(unknown)}; catalogs: {', '.join(catalogs.TRANSLATED)}")
    return chosen


def _cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    template = catalogs.extract()
    print(f"{catalogs.TEMPLATE.relative_to(catalogs.ROOT)}: {sum(1 for m in template if m.id)} messages")
    return 0


def _cmd_update(args: argparse.Namespace, settings: Settings) -> int:
    counts = catalogs.update(_langs(args))
    print("untranslated per language: " + ", ".join(f"{lang} {n}" for lang, n in counts.items()))
    return 0


def _cmd_compile(args: argparse.Namespace, settings: Settings) -> int:
    changed = catalogs.compile_catalogs(_langs(args))
    print("compiled: " + (", ".join(changed) if changed else "all .mo files were up to date"))
    return 0


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    bad = 0
    for result in catalogs.check(_langs(args)):
        if result.ok:
            print(f"{result.language}: ok")
            continue
        bad += 1
        print(f"{result.language}: {len(result.missing)} missing, {len(result.broken)} broken placeholders"
              + (", stale .mo" if result.stale_mo else "") + ("" if result.plural_forms_ok else ", bad plural forms"))
        for problem in [*(f"  missing: {m!r}" for m in result.missing), *(f"  {p}" for p in result.broken)]:
            print(problem)
    return 1 if bad else 0


def _cmd_todo(args: argparse.Namespace, settings: Settings) -> int:
    entries = catalogs.todo(_langs(args))
    if args.json:
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for lang, items in entries.items():
        hints = catalogs.fuzzy_hints(lang)
        print(f"== {lang}: {len(items)} untranslated")
        for key in items:
            print(f"  {key!r}" + (f"  (fuzzy, was: {hints[key]!r})" if key in hints else ""))
    if not entries:
        print("nothing to translate")
    return 0


def _cmd_fill(args: argparse.Namespace, settings: Settings) -> int:
    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    problems = catalogs.fill(data)
    for problem in problems:
        print(problem)
    if not args.no_compile:
        catalogs.compile_catalogs()
    return 1 if problems else 0


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    content_dir = Path(args.content) if args.content else settings.content_dir
    text = report.format_report(report.coverage(content_dir), args.markdown)
    print(text)
    if args.write:
        Path(args.write).write_text(text + "\n", encoding="utf-8")
    return 0


def add_commands(subparsers: Any) -> None:
    i18n = subparsers.add_parser("i18n", help="translation catalogs: extract, update, compile, check, report")
    sub = i18n.add_subparsers(dest="i18n_command", required=True)

    def with_lang(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--lang", action="append", help="only this language (repeatable); default: all")
        return p

    sub.add_parser("extract", help="write bot/locale/messages.pot from the sources").set_defaults(func=_cmd_extract)
    with_lang(sub.add_parser("update", help="extract, then merge new strings into every .po")).set_defaults(
        func=_cmd_update)
    with_lang(sub.add_parser("compile", help="compile .po into .mo")).set_defaults(func=_cmd_compile)
    with_lang(sub.add_parser("check", help="fail on missing strings, broken placeholders or stale .mo")
              ).set_defaults(func=_cmd_check)
    p = with_lang(sub.add_parser("todo", help="list untranslated or fuzzy strings per language"))
    p.add_argument("--json", action="store_true", help="print a JSON skeleton to fill in and pass to `fill`")
    p.set_defaults(func=_cmd_todo)
    p = sub.add_parser("fill", help="write translations from a JSON file {lang: {msgid: text}} and compile")
    p.add_argument("file")
    p.add_argument("--no-compile", action="store_true")
    p.set_defaults(func=_cmd_fill)
    p = sub.add_parser("report", help="translation coverage per language: UI strings and content texts")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--write", metavar="PATH", help="also write the table to PATH")
    p.add_argument("--content", metavar="DIR", help="content library (default: CONTENT_DIR or the bundled one)")
    p.set_defaults(func=_cmd_report)
