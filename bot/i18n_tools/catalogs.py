"""The gettext catalogs: extract the template, read/write/update the ``.po``, compile the ``.mo``, check them.

English is the source language (the msgids); every other language has ``bot/locale/<lang>/LC_MESSAGES/
messages.po`` and its compiled ``messages.mo`` (committed: the bot reads only the ``.mo``). The commands
that drive this module are in ``bot.i18n_tools.cli``; the coverage report is in ``bot.i18n_tools.report``.

A translation round, when new strings arrived in the code::

    smce-bot i18n update              # extract bot/locale/messages.pot from the sources, merge into every .po
    smce-bot i18n todo --json > todo.json   # what is untranslated (or fuzzy), per language, as a skeleton
    # ... fill in todo.json (msgid -> translation; plural entries are lists, one per plural form) ...
    smce-bot i18n fill todo.json      # checks placeholders, writes the .po files
    smce-bot i18n compile             # .po -> .mo
    smce-bot i18n check               # nothing missing, no broken placeholder, no stale .mo (what tests assert)
    smce-bot i18n report --markdown --write coverage.md

Everything goes through babel's Python API (``babel.messages.extract``/``pofile``/``mofile``); the
extraction is the same as ``pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

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
    """Every marked string in the sources, as a template catalog (in memory); a message that cannot be
    translated as written is reported on stderr as ``file:line: warning: ...`` (see ``untranslatable``)."""
    method_map, options_map = _method_map(root)
    template = Catalog(project="smce-bot", version="0.1", charset="utf-8", creation_date=FIXED_DATE,
                       fuzzy=False)
    python_files: list[str] = []
    # babel's warning also hits a placeholder's value (`_("At {t}", t=f"{h}:00")`, fine): ours below is exact
    with contextlib.redirect_stderr(io.StringIO()):
        for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True,
            directory_filter=lambda d: not Path(d).name.startswith((".", "__pycache__")) and Path(d).name != "tests",
            callback=lambda name, method, _: python_files.append(name) if method == "python" else None,
        ):
            template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for name in python_files:
        for lineno, why in untranslatable((root / name).read_bytes()):
            sys.stderr.write(f"{root / name}:{lineno}: warning: {why}\n")
    return template


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Add) and _literal(node.left) and _literal(node.right)
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.JoinedStr) and all(isinstance(part, ast.Constant) for part in node.values))


def _pieced(node: ast.expr) -> bool:
    """A message built at run time (``f"Hi {x}"``, ``"a " + b``, ``"%s" % x``, ``"{}".format(x)``); a name
    (``_(label)``, a constant marked with ``N_``) is not."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return isinstance(node.func.value, ast.Constant | ast.JoinedStr | ast.BinOp)
    return isinstance(node, ast.JoinedStr | ast.BinOp) and not _literal(node)


def untranslatable(source: bytes) -> list[tuple[int, str]]:
    """(line, why) of each marked call (``KEYWORDS``) whose message argument is built from pieces: such a
    message cannot be extracted, so it is never translated. Placeholder values are not messages."""
    found = []
    for node in (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)):
        name = str(getattr(node.func, "attr", None) or getattr(node.func, "id", ""))
        spec = KEYWORDS.get(name, False)  # positions count from 1, as in pybabel's -k ngettext:1,2
        for index in () if spec is False else (0,) if spec is None else (i - 1 for i in spec):
            if index < len(node.args) and _pieced(node.args[index]):
                found.append((node.args[index].lineno, "a message built from pieces cannot be translated as "
                              "written: write one whole sentence with {placeholders}"))
    return sorted(found)


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
