"""``smce-bot i18n``: extract, update, compile and check the gettext catalogs; report translation coverage.

English is the source language (the msgids); every other language has ``bot/locale/<lang>/LC_MESSAGES/
messages.po`` and its compiled ``messages.mo`` (committed: the bot reads only the ``.mo``).

A translation round, when new strings arrived in the code::

    smce-bot i18n update              # extract bot/locale/messages.pot from the sources, merge into every .po
    smce-bot i18n todo --json > todo.json   # what is untranslated (or fuzzy), per language, as a skeleton
    # ... fill in todo.json (msgid -> translation; plural entries are lists, one per plural form) ...
    smce-bot i18n fill todo.json      # checks placeholders, writes the .po files
    smce-bot i18n compile             # .po -> .mo
    smce-bot i18n check               # nothing missing, no broken placeholder, no stale .mo (what tests assert)
    smce-bot i18n report --markdown --write /path/to/coverage.md

Everything goes through babel's Python API (``babel.messages.extract``/``pofile``/``mofile``); the
extraction is the same as ``pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_``.
"""

from __future__ import annotations

import argparse
import io
import json
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

if TYPE_CHECKING:
    from bot.config import Settings

ROOT = LOCALE_DIR.parent.parent
BABEL_CFG = ROOT / "babel.cfg"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS: dict[str, Any] = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
COMMENT_TAGS = ("Translators:",)
# Used when babel.cfg is not around (an installed package): the same folders.
DEFAULT_MAPPING = [(f"{folder}/**.py", "python") for folder in ("bot", "handlers", "storage", "content")]
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)

#: Languages with a catalog (English is the source).
TRANSLATED = tuple(code for code in LANGUAGES if code != DEFAULT_LANGUAGE)

# Plural forms from CLDR, written as gettext expressions. Babel's table has no entry for id, ms, my and
# fil and would fall back to the English "(n != 1)"; Indonesian, Malay and Burmese have no plural
# inflection (one form, like Lao, Khmer, Vietnamese and Thai). Filipino's CLDR rule: "one" is
# n = 1, 2, 3 or n not ending in 4, 6, 9.
PLURAL_FORMS: dict[str, str] = {
    "lo": "nplurals=1; plural=0;",
    "km": "nplurals=1; plural=0;",
    "vi": "nplurals=1; plural=0;",
    "th": "nplurals=1; plural=0;",
    "id": "nplurals=1; plural=0;",
    "ms": "nplurals=1; plural=0;",
    "my": "nplurals=1; plural=0;",
    "fil": "nplurals=2; plural=(n != 1 && n != 2 && n != 3 && (n % 10 == 4 || n % 10 == 6 || n % 10 == 9));",
}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


# --- extraction -------------------------------------------------------------------------------------------


def _method_map(root: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    cfg = root / "babel.cfg"
    if cfg.is_file():
        with cfg.open(encoding="utf-8") as fileobj:
            method_map, options_map = parse_mapping_cfg(fileobj, str(cfg))
        return list(method_map), dict(options_map)
    return DEFAULT_MAPPING, {}


def extract_template(root: Path = ROOT) -> Catalog:
    """Every marked string in the sources, as a template catalog (in memory)."""
    method_map, options_map = _method_map(root)
    template = Catalog(project="smce-bot", version="0.1", charset="utf-8", creation_date=FIXED_DATE,
                       fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True,
        directory_filter=lambda d: not Path(d).name.startswith((".", "__pycache__")) and Path(d).name != "tests",
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return buf.getvalue()


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write unless only the dates differ (keeps git diffs to real changes)."""

    def body(raw: bytes) -> list[bytes]:
        return [line for line in raw.splitlines() if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision'))]

    if path.exists() and body(path.read_bytes()) == body(data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def extract(root: Path = ROOT) -> Catalog:
    template = extract_template(root)
    _write_if_changed(TEMPLATE, _po_bytes(template))
    return template


# --- catalogs -------------------------------------------------------------------------------------------


def read_catalog(language: str) -> Catalog:
    with po_path(language).open("rb") as fileobj:
        return read_po(fileobj, locale=LANGUAGES[language].babel_locale.split("_")[0], domain=DOMAIN)


def new_catalog(language: str) -> Catalog:
    catalog = Catalog(locale=language, domain=DOMAIN, project="smce-bot", version="0.1", charset="utf-8",
                      creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False,
                      language_team=f"{LANGUAGES[language].native_name} <LL@li.org>")
    return catalog


def _set_plural_forms(catalog: Catalog, language: str) -> None:
    headers = [(k, v) for k, v in catalog.mime_headers if k.lower() != "plural-forms"]
    catalog.mime_headers = [*headers, ("Plural-Forms", PLURAL_FORMS[language])]


def write_catalog(language: str, catalog: Catalog) -> bool:
    _set_plural_forms(catalog, language)
    return _write_if_changed(po_path(language), _po_bytes(catalog))


def update(languages: Iterable[str] = TRANSLATED, template: Catalog | None = None) -> dict[str, int]:
    """Merge the template into each catalog (creating missing ones); returns untranslated counts."""
    template = template or extract()
    result: dict[str, int] = {}
    for lang in languages:
        catalog = read_catalog(lang) if po_path(lang).exists() else new_catalog(lang)
        _set_plural_forms(catalog, lang)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        catalog.creation_date = FIXED_DATE
        write_catalog(lang, catalog)
        result[lang] = len(untranslated(catalog))
    return result


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def mo_messages(data: bytes) -> dict[Any, Any]:
    """What a compiled catalog says: msgid (or plural tuple) → translation, without the header.

    Comparing this rather than bytes keeps the check exact: a .mo written by another babel version
    (whose header names that version) is not stale when every translation in it is the same."""
    def key(value: Any) -> Any:
        return value if isinstance(value, str) else tuple(value or ())

    return {key(m.id): key(m.string) for m in read_mo(io.BytesIO(data)) if m.id}


def mo_is_current(language: str, catalog: Catalog) -> bool:
    path = mo_path(language)
    return path.exists() and mo_messages(path.read_bytes()) == mo_messages(mo_bytes(catalog))


def compile_catalogs(languages: Iterable[str] = TRANSLATED) -> list[str]:
    """.po → .mo; returns the languages whose .mo changed."""
    changed = []
    for lang in languages:
        data = mo_bytes(read_catalog(lang))
        path = mo_path(lang)
        if not path.exists() or mo_messages(path.read_bytes()) != mo_messages(data):
            path.write_bytes(data)
            changed.append(lang)
    return changed


# --- checks ---------------------------------------------------------------------------------------------


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, (list, tuple)):
        return tuple(message.string)
    return (message.string or "",)


def msgid_key(message: Message) -> str:
    return _ids(message)[0]


def is_translated(message: Message) -> bool:
    return not message.fuzzy and all(_strings(message))


def untranslated(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id and not is_translated(m)]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a str.format text (raises ValueError on broken braces)."""
    fields = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.add(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return fields


def placeholder_problems(message: Message) -> list[str]:
    """What is wrong with a translation's placeholders (empty when fine or untranslated)."""
    ids = _ids(message)
    try:
        expected = set().union(*(placeholders(i) for i in ids))
    except ValueError:
        return []  # the msgid itself is not a format string (never formatted), nothing to compare
    problems = []
    for form, text in enumerate(_strings(message)):
        if not text:
            continue
        label = f"{ids[0]!r}" + (f" [form {form}]" if len(ids) > 1 else "")
        try:
            found = placeholders(text)
        except ValueError as exc:
            problems.append(f"{label}: broken braces ({exc})")
            continue
        if "" in found or any(f.isdigit() for f in found):
            problems.append(f"{label}: positional placeholder {{}} in the translation")
        if len(ids) == 1 and found != expected:
            problems.append(f"{label}: placeholders {sorted(found)} instead of {sorted(expected)}")
        elif len(ids) > 1 and (found - expected or (placeholders(ids[1]) - found)):
            problems.append(f"{label}: placeholders {sorted(found)} instead of {sorted(expected)}")
    return problems


@dataclass
class CatalogCheck:
    language: str
    missing: list[str]  # msgids in the sources that the catalog lacks or leaves untranslated/fuzzy
    broken: list[str]  # placeholder problems
    stale_mo: bool
    plural_forms_ok: bool

    @property
    def ok(self) -> bool:
        return not (self.missing or self.broken or self.stale_mo) and self.plural_forms_ok


def check(languages: Iterable[str] = TRANSLATED, template: Catalog | None = None) -> list[CatalogCheck]:
    template = template or extract_template()
    results = []
    for lang in languages:
        if not po_path(lang).exists():
            results.append(CatalogCheck(lang, [msgid_key(m) for m in template if m.id], [], True, False))
            continue
        catalog = read_catalog(lang)
        missing = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            if found is None or not is_translated(found) or _ids(found) != _ids(message):
                missing.append(msgid_key(message))
        broken = [p for m in catalog if m.id and not m.fuzzy for p in placeholder_problems(m)]
        stale = not mo_is_current(lang, catalog)
        header = dict(catalog.mime_headers).get("Plural-Forms", "")
        plural_ok = header.replace(" ", "") == PLURAL_FORMS[lang].replace(" ", "") and all(
            len(_strings(m)) == catalog.num_plurals for m in catalog if m.id and m.pluralizable
        )
        results.append(CatalogCheck(lang, missing, broken, stale, plural_ok))
    return results


# --- todo / fill ----------------------------------------------------------------------------------------


def todo(languages: Iterable[str] = TRANSLATED) -> dict[str, dict[str, Any]]:
    """Untranslated (or fuzzy) entries per language: msgid → "" (or a list, one per plural form)."""
    result: dict[str, dict[str, Any]] = {}
    for lang in languages:
        catalog = read_catalog(lang)
        entries: dict[str, Any] = {}
        for message in untranslated(catalog):
            if message.pluralizable:
                entries[msgid_key(message)] = ["" for _ in range(catalog.num_plurals)]
            else:
                entries[msgid_key(message)] = ""
        if entries:
            result[lang] = entries
    return result


def fuzzy_hints(language: str) -> dict[str, str]:
    """For entries babel matched to a changed msgid (fuzzy): the old translation, as a starting point."""
    catalog = read_catalog(language)
    return {msgid_key(m): " | ".join(_strings(m)) for m in catalog if m.id and m.fuzzy and any(_strings(m))}


def fill(translations: dict[str, dict[str, Any]]) -> list[str]:
    """Write translations ({lang: {msgid: text or [forms]}}) into the catalogs; returns problems (not written)."""
    problems: list[str] = []
    for lang, entries in translations.items():
        if lang not in TRANSLATED:
            problems.append(f"{lang}: not a catalog language")
            continue
        catalog = read_catalog(lang)
        by_key = {msgid_key(m): m for m in catalog if m.id}
        for key, text in entries.items():
            message = by_key.get(key)
            if message is None:
                problems.append(f"{lang}: {key!r} is not in the catalog (run `smce-bot i18n update`)")
                continue
            if not text:
                continue
            if message.pluralizable:
                forms = [text] * catalog.num_plurals if isinstance(text, str) else list(text)
                if len(forms) != catalog.num_plurals or not all(forms):
                    problems.append(f"{lang}: {key!r} needs {catalog.num_plurals} plural form(s)")
                    continue
                candidate = Message(message.id, tuple(forms))
            else:
                if not isinstance(text, str):
                    problems.append(f"{lang}: {key!r} is not a plural entry; give one text")
                    continue
                candidate = Message(message.id, text)
            found = placeholder_problems(candidate)
            if found:
                problems.extend(f"{lang}: {p}" for p in found)
                continue
            message.string = candidate.string
            message.flags.discard("fuzzy")
            message.previous_id = []
        write_catalog(lang, catalog)
    return problems


# --- coverage report ------------------------------------------------------------------------------------


@dataclass
class Coverage:
    language: str
    ui_done: int
    ui_total: int
    content_done: int
    content_total: int


def coverage(content_dir: Path | None = None) -> list[Coverage]:
    from content import load_library

    template = extract_template()
    ids = [m for m in template if m.id]
    library, _ = load_library(content_dir or ROOT / "content")
    total = library.text_count()
    missing_content = library.missing_translations(LANGUAGES)
    rows = [Coverage(DEFAULT_LANGUAGE, len(ids), len(ids), total - missing_content[DEFAULT_LANGUAGE], total)]
    for lang in TRANSLATED:
        done = 0
        if po_path(lang).exists():
            catalog = read_catalog(lang)
            for message in ids:
                found = catalog.get(message.id, message.context)
                done += found is not None and is_translated(found)
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


# --- CLI ------------------------------------------------------------------------------------------------


def _langs(args: argparse.Namespace) -> tuple[str, ...]:
    chosen = tuple(args.lang or TRANSLATED)
    unknown = [lang for lang in chosen if lang not in TRANSLATED]
    if unknown:
        raise SystemExit(f"unknown language(s): {', '.join(unknown)}; catalogs: {', '.join(TRANSLATED)}")
    return chosen


def _cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    template = extract()
    print(f"{TEMPLATE.relative_to(ROOT)}: {sum(1 for m in template if m.id)} messages")
    return 0


def _cmd_update(args: argparse.Namespace, settings: Settings) -> int:
    counts = update(_langs(args))
    print("untranslated per language: " + ", ".join(f"{lang} {n}" for lang, n in counts.items()))
    return 0


def _cmd_compile(args: argparse.Namespace, settings: Settings) -> int:
    changed = compile_catalogs(_langs(args))
    print("compiled: " + (", ".join(changed) if changed else "all .mo files were up to date"))
    return 0


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    bad = 0
    for result in check(_langs(args)):
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
    entries = todo(_langs(args))
    if args.json:
        json.dump(entries, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for lang, items in entries.items():
        hints = fuzzy_hints(lang)
        print(f"== {lang}: {len(items)} untranslated")
        for key in items:
            print(f"  {key!r}" + (f"  (fuzzy, was: {hints[key]!r})" if key in hints else ""))
    if not entries:
        print("nothing to translate")
    return 0


def _cmd_fill(args: argparse.Namespace, settings: Settings) -> int:
    data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    problems = fill(data)
    for problem in problems:
        print(problem)
    if not args.no_compile:
        compile_catalogs()
    return 1 if problems else 0


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    text = format_report(coverage(Path(args.content) if args.content else settings.content_dir), args.markdown)
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
