"""The layers stay in order: channels/handlers → core (bot) → storage; content stands alone; no import cycles.

Every ``.py`` under ``bot/``, ``handlers/``, ``storage/`` and ``content/`` is parsed (not imported) and every
import counts: at module level, inside functions, under ``if TYPE_CHECKING:``, and ``__import__`` /
``importlib.import_module`` with a literal name. The rules:

- ``storage`` imports neither ``bot`` nor ``handlers`` (migrations included);
- ``content`` imports none of ``bot``, ``handlers``, ``storage``;
- ``bot`` does not import ``handlers``, except the two modules that assemble the app: ``bot.service``
  (builds the router and jobs from ``handlers.FEATURES``) and ``bot.cli`` (adds the features' commands,
  ``bot.cli.FEATURE_COMMANDS``). That list is ``ASSEMBLERS`` below: keep it that short;
- ``handlers`` never import ``bot.channels``, and ``bot.channels`` never import ``handlers``;
- ``bot.channels`` do not reach into ``storage`` either: they go through the core (issue #14);
- no import cycle between modules, not even a TYPE_CHECKING-only or function-level one.

``from package import name`` depends on ``package.name`` when that is a module, else on ``package``; the
implicit import of a parent package's ``__init__`` does not count (Python resolves those without a cycle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "content")
ASSEMBLERS = {"bot.service", "bot.cli"}  # the only bot modules allowed to import handlers


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (one of ours)
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[module_name(path)] = path
    return files


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, list[str], int]]:
    """(base module, names imported from it, line) for every import in the tree."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            yield base, [alias.name for alias in node.names], node.lineno
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in {"__import__", "import_module"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value, [], node.lineno


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that ``name`` is or lies in (None when it is not ours)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def import_edges() -> list[Edge]:
    files = source_files()
    known = set(files)
    edges: set[Edge] = set()
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = str(path.relative_to(ROOT))
        for base, names, line in _imported_names(tree, module, path.name == "__init__.py"):
            targets = []
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            if submodules:
                targets += submodules
            if len(submodules) < len(names) or not names:
                resolved = _resolve(base, known)
                if resolved is not None:
                    targets.append(resolved)
            for target in targets:
                if target != module:
                    edges.add(Edge(module, target, rel, line))
    return sorted(edges, key=lambda e: (e.file, e.line, e.target))


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _report(offending: list[Edge], rule: str) -> str:
    return f"{rule}; offending imports:\n" + "\n".join(f"  {e}" for e in offending)


def test_storage_imports_neither_bot_nor_handlers() -> None:
    bad = [e for e in import_edges()
           if _in(e.source, "storage") and (_in(e.target, "bot") or _in(e.target, "handlers"))]
    assert not bad, _report(bad, "storage must not import bot or handlers (pass what it needs in as arguments)")


def test_content_stands_alone() -> None:
    bad = [e for e in import_edges()
           if _in(e.source, "content") and any(_in(e.target, p) for p in ("bot", "handlers", "storage"))]
    assert not bad, _report(bad, "content must not import bot, handlers or storage")


def test_the_core_does_not_import_features() -> None:
    bad = [e for e in import_edges()
           if _in(e.source, "bot") and e.source not in ASSEMBLERS and _in(e.target, "handlers")]
    assert not bad, _report(bad, f"only {sorted(ASSEMBLERS)} may import handlers (they assemble the app)")


def test_handlers_and_channels_do_not_know_each_other() -> None:
    bad = [e for e in import_edges()
           if (_in(e.source, "handlers") and _in(e.target, "bot.channels"))
           or (_in(e.source, "bot.channels") and _in(e.target, "handlers"))]
    assert not bad, _report(bad, "handlers must not import bot.channels, nor bot.channels handlers")


def test_channels_go_through_the_core() -> None:
    bad = [e for e in import_edges() if _in(e.source, "bot.channels") and _in(e.target, "storage")]
    assert not bad, _report(bad, "bot.channels must not import storage (go through the core)")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the strongly connected components of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_strongly_connected_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_import_cycles() -> None:
    edges = import_edges()
    graph: dict[str, set[str]] = {module: set() for module in source_files()}
    for edge in edges:
        graph[edge.source].add(edge.target)
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    lines = []
    for component in cycles:
        members = set(component)
        lines.append("cycle between " + ", ".join(component) + ":")
        lines += [f"  {e}" for e in edges if e.source in members and e.target in members]
    assert not cycles, "import cycles (break them: move the shared part down a layer):\n" + "\n".join(lines)


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import storage.models\n"
        "if TYPE_CHECKING:\n"
        "    from bot.context import Context\n"
        "def f():\n"
        "    from handlers import menu\n"
        "    __import__('bot.i18n')\n"
        "from . import db\n"
    )
    tree = ast.parse(source)
    found = {(base, tuple(names)) for base, names, _ in _imported_names(tree, "storage.example", False)}
    assert ("storage.models", ()) in found and ("bot.context", ("Context",)) in found
    assert ("handlers", ("menu",)) in found and ("bot.i18n", ()) in found and ("storage", ("db",)) in found
