"""Reading a content folder: YAML that remembers line numbers, checked into a ``Library``.

``load_library`` reads ``courses/*.yaml`` and ``faq/*.yaml`` and returns the library plus every problem
found, each with its file and line, so ``smce-bot content check`` can name them and the bot can refuse
to start on a broken library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content.check import Checker, read_course, read_faq
from content.model import Library, Problem

# --- YAML with line numbers -------------------------------------------------------------------------


class _Map(dict[str, Any]):
    line: int = 0
    lines: dict[str, int]


class _Seq(list[Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


FAILED = object()  # a file that could not be read or parsed (already reported)


def _load(check: Checker, path: Path) -> Any:
    """The parsed file (maps and lists know their line), or FAILED after reporting why."""
    check.file = str(path.relative_to(check.root)) if path.is_relative_to(check.root) else str(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        check.problem((mark.line + 1) if mark else 0, f"not valid YAML: {exc.problem}")
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        check.problem(0, f"cannot read: {exc}")
    return FAILED


def load_library(root: Path | str) -> tuple[Library, list[Problem]]:
    root = Path(root)
    library = Library(root)
    check = Checker(root)
    if not root.is_dir():
        check.problem(0, f"no content folder at {root}")
        return library, check.problems
    for path in sorted((root / "courses").glob("*.y*ml")):
        data = _load(check, path)
        if data is FAILED:
            continue
        course = read_course(check, data)
        if course is None:
            continue
        if course.id in library.courses:
            check.problem(1, f"course id '{course.id}' is used by another file too")
            continue
        library.courses[course.id] = course
    for path in sorted((root / "faq").glob("*.y*ml")):
        data = _load(check, path)
        if data is not FAILED:
            read_faq(check, data, library)
    if not library.courses:
        check.file = str(root)
        check.problem(0, "no courses found under courses/")
    return library, check.problems
