"""A scripted terminal session: onboarding, a lesson, a quiz and progress, typed as numbers and words."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from bot.channels.terminal import chat
from bot.config import Settings
from bot.service import Service
from tests.conftest import TEST_CONTENT

SCRIPT = """1
Mali
2
3
skip
skip
1
1
1
2
progress
"""


async def test_scripted_terminal_session(settings: Settings, clock) -> None:
    out = io.StringIO()
    await chat(Service(settings, clock=clock), stdin=io.StringIO(SCRIPT), out=out)
    transcript = out.getvalue()
    assert "Please choose your language" in transcript
    assert "What is your name?" in transcript
    assert "Thank you, Mali. What is your craft?" in transcript
    assert "Which country do you work in?" in transcript
    assert "All set, Mali!" in transcript
    assert "[1] Courses" in transcript
    assert "Lesson 1 of 3" in transcript
    assert "What goes into the cost of a scarf?" in transcript
    assert "The right answer: Materials and time" in transcript  # answered 2: "Only the silk"
    progress = transcript[transcript.index("you> progress"):]
    assert "Selling basics" in progress and "1 of 3" in progress


def test_smce_bot_chat_works_with_piped_input(tmp_path: Path) -> None:
    """The installed console script, as a newcomer would run it: no token, no network."""
    env = {"PATH": str(Path(sys.executable).parent), "CONTENT_DIR": str(TEST_CONTENT), "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "smce-bot"), "chat"], input="1\nKim\n1\n1\nskip\nskip\n",
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "All set, Kim!" in result.stdout
    assert (tmp_path / "smce.db").exists()  # the embedded default database


def test_content_check_names_file_and_line(tmp_path: Path) -> None:
    courses = tmp_path / "courses"
    courses.mkdir()
    (courses / "bad.yaml").write_text(
        "id: Bad Id\ntitle: {en: Bad}\nlessons:\n  - id: one\n    title: {en: One}\n    text: {en: '"
        + "x" * 800 + "'}\n    quiz:\n      - id: q1\n        question: {en: 'Q?'}\n        choices:\n"
        "          - text: {en: A}\n          - text: {en: B}\n"
    )
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    result = subprocess.run([str(Path(sys.executable).parent / "smce-bot"), "content", "check", str(tmp_path)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "courses/bad.yaml:1: the course needs an 'id'" in result.stdout
    assert "courses/bad.yaml:6: lesson 'one' 'text' in 'en' is 800 characters (at most 700)" in result.stdout
    assert "courses/bad.yaml:10: question 'q1' needs exactly one choice with correct: true" in result.stdout


def test_bundled_content_is_valid() -> None:
    from bot.config import BUNDLED_CONTENT
    from content import load_library

    library, problems = load_library(BUNDLED_CONTENT)
    assert problems == []
    assert len(library.courses) >= 3
    assert all(len(c.lessons) >= 4 and c.questions for c in library.courses.values())


async def test_the_chat_runs_each_job_when_it_is_due() -> None:
    """While the chat waits for input it runs due jobs (reminders, scheduled announcements) itself."""
    from bot.channels.terminal import DueJobs
    from bot.jobs import Job, JobContext, Scheduler

    runs: list[str] = []

    async def often(jc: JobContext) -> int:
        runs.append("often")
        return 1

    async def rarely(jc: JobContext) -> int:
        runs.append("rarely")
        raise RuntimeError("a failing job is logged, the others still run")

    context = JobContext(None, None, lambda: None)  # type: ignore[arg-type]
    jobs = DueJobs(Scheduler([Job("rarely", 3600.0, rarely), Job("often", 0.0, often)], context))
    assert await jobs.run() == 1 and runs == ["rarely", "often"]
    assert await jobs.run() == 1 and runs[2:] == ["often"]  # "rarely" is not due again for an hour
    await jobs.run(every_job=True)  # after a message: all of them
    assert runs[3:] == ["rarely", "often"]


async def test_an_empty_line_gets_a_short_answer(settings: Settings, clock) -> None:
    """#22 item 11: an empty message is answered, not ignored (the terminal used to drop blank lines):
    during onboarding the question is asked again, after it the bot says what it expects."""
    out = io.StringIO()
    await chat(Service(settings, clock=clock), stdin=io.StringIO("1\nMali\n\n2\n3\nskip\nskip\n\n"), out=out)
    during, after = out.getvalue().split("you> \n")[1:3]
    assert "What is your craft?" in during
    assert "I got an empty message" in after
