"""The repository runs anywhere and stays readable: no machine's absolute paths, no Python file over 400 lines.

(a) No file tracked by git, and no file under the project's folders, names a path of one machine
    (``/work/...``, ``/root/...``, ``/tmp/...``, ``/home/<user>/...``): benchmarks and docs that carry them
    fail on any other machine. Tests that need such a path build it at run time (``tmp_path``); this file
    is the one allowed to spell the patterns.
(b) No ``.py`` file (sources, tests, benchmarks) over ``MAX_LINES`` lines (issue #14): split by what the
    code does instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("bot", "handlers", "storage", "content", "tests", "bench", "docs", ".ci", "README.md")
PYTHON_FOLDERS = ("bot", "handlers", "storage", "content", "tests", "bench")
SKIPPED_PARTS = {"__pycache__", ".venv", ".git", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"}
MAX_LINES = 400
# A path rooted in one machine: not preceded by a letter, digit, "." or "/" (so URLs and relative paths
# such as "docs/work/x" do not count).
_SLASH = "/"
MACHINE_PATH = re.compile(
    rb"(?<![\w./~-])" + _SLASH.encode() + rb"(?:work|root|tmp)/[\w.~-]"
    + rb"|(?<![\w./~-])" + _SLASH.encode() + rb"home/[a-z_][\w.-]*/"
)
THIS_FILE = Path(__file__).resolve()


def _skipped(path: Path) -> bool:
    return bool(SKIPPED_PARTS.intersection(path.parts)) or path.suffix in {".pyc", ".pyo"}


def tracked_files() -> list[Path] | None:
    """Files git tracks (None when git or the repository is not there, e.g. an unpacked sdist)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [ROOT / name for name in out.decode("utf-8", "surrogateescape").split("\0") if name]


def project_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() and not _skipped(p.relative_to(ROOT))]
    return files


def machine_paths(path: Path) -> list[str]:
    """``file:line: text`` for every absolute machine path in a text file (binary files are skipped)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if b"\0" in data[:8192]:
        return []
    found = []
    for number, line in enumerate(data.splitlines(), 1):
        if MACHINE_PATH.search(line):
            text = line.decode("utf-8", "replace").strip()
            found.append(f"{path.relative_to(ROOT)}:{number}: {text[:160]}")
    return found


def test_machine_paths_are_recognised() -> None:
    slash = _SLASH
    for bad in (f"python {slash}work/venv/bin/python", f"--out {slash}tmp/brief/x.md", f"{slash}root/.cache",
                f"cd {slash}home/ana/src"):
        assert MACHINE_PATH.search(bad.encode()), bad
    for fine in ("https://example.com/work/x", "docs/work/notes.md", "~/tmp/x", "$HOME/x", "a/root/b",
                 f"{slash}home/", "bot/locale"):
        assert not MACHINE_PATH.search(fine.encode()), fine


def test_no_absolute_machine_paths() -> None:
    tracked = tracked_files() or []
    files = {p.resolve() for p in [*tracked, *project_files()] if p.is_file()} - {THIS_FILE}
    offenders = [hit for path in sorted(files) for hit in machine_paths(path)]
    assert not offenders, (
        "absolute paths of one machine (use paths relative to the repository, or build them at run time):\n"
        + "\n".join(f"  {o}" for o in offenders)
    )


def test_git_is_scanned_when_available() -> None:
    if tracked_files() is None:
        pytest.skip("git is not available here: only the project folders were scanned")
    assert any(p.name == "pyproject.toml" for p in tracked_files() or [])


def test_no_python_file_over_the_limit() -> None:
    long_files = []
    for folder in PYTHON_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if _skipped(path.relative_to(ROOT)):
                continue
            count = len(path.read_bytes().splitlines())
            if count > MAX_LINES:
                long_files.append(f"{path.relative_to(ROOT)}: {count} lines")
    assert not long_files, f"Python files over {MAX_LINES} lines (split them by what they do):\n" + "\n".join(
        f"  {f}" for f in long_files)
