"""The content checker: turns parsed YAML into the library's types, collecting every problem with its line.

Nodes carry ``line`` (and maps ``lines``, key -> line) when ``content.loader`` parsed them; plain data works
too (problems then have line 0).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from content.model import (
    ANSWER_MAX,
    CHOICE_MAX,
    CONTENT_LANGUAGES,
    FEEDBACK_MAX,
    ID_RE,
    LESSON_MAX,
    OUT_OF_SCOPE,
    QUESTION_MAX,
    REQUIRED_LANGUAGE,
    TITLE_MAX,
    Choice,
    Course,
    FaqEntry,
    Lesson,
    Library,
    Problem,
    Question,
    Text,
)


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.file = ""

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def line_of(self, node: Any, key: str | None = None) -> int:
        lines = getattr(node, "lines", None)  # set by the loader on every map (key -> line)
        if isinstance(lines, dict) and key is not None and key in lines:
            return int(lines[key])
        return getattr(node, "line", 0)

    def ident(self, node: Any, key: str, what: str) -> str | None:
        value = node.get(key) if isinstance(node, dict) else None
        if not isinstance(value, str) or not ID_RE.match(value):
            self.problem(
                self.line_of(node, key),
                f"{what} needs an '{key}' of lowercase letters, digits and '-' (got {value!r})",
            )
            return None
        return value

    def text(self, node: Any, key: str, what: str, limit: int, required: bool = True) -> Text:
        value = node.get(key) if isinstance(node, dict) else None
        line = self.line_of(node, key)
        if value is None:
            if required:
                self.problem(line, f"{what} has no '{key}'")
            return Text()
        if isinstance(value, str):  # a bare string is English
            value = {REQUIRED_LANGUAGE: value}
        if not isinstance(value, dict):
            self.problem(line, f"{what} '{key}' must be a text or a map of language: text")
            return Text()
        result = Text()
        for lang, raw in value.items():
            if lang not in CONTENT_LANGUAGES:
                self.problem(line, f"{what} '{key}' has an unknown language '{lang}'")
                continue
            if not isinstance(raw, str) or not raw.strip():
                self.problem(line, f"{what} '{key}' in '{lang}' is empty")
                continue
            clean = unicodedata.normalize("NFC", raw.strip())
            if len(clean) > limit:
                self.problem(line, f"{what} '{key}' in '{lang}' is {len(clean)} characters (at most {limit})")
            result[lang] = clean
        if REQUIRED_LANGUAGE not in result and value:
            self.problem(line, f"{what} '{key}' has no English ('en') text")
        return result


def read_course(check: Checker, data: Any) -> Course | None:
    if not isinstance(data, dict):
        check.problem(1, "a course file must be a map with id, title and lessons")
        return None
    course_id = check.ident(data, "id", "the course")
    title = check.text(data, "title", "the course", TITLE_MAX)
    summary = check.text(data, "summary", "the course", 300, required=False)
    order = data.get("order", 100)
    if not isinstance(order, int):
        check.problem(check.line_of(data, "order"), "'order' must be a whole number")
        order = 100
    raw_lessons = data.get("lessons")
    if not isinstance(raw_lessons, list) or not raw_lessons:
        check.problem(check.line_of(data, "lessons"), "the course needs a list of 'lessons'")
        return None
    lessons: list[Lesson] = []
    seen_lessons: set[str] = set()
    seen_questions: set[str] = set()
    for raw in raw_lessons:
        if not isinstance(raw, dict):
            check.problem(getattr(raw, "line", getattr(raw_lessons, "line", 0)),
                          "each lesson must be a map with id, title and text")
            continue
        lesson_id = check.ident(raw, "id", "a lesson")
        if lesson_id in seen_lessons:
            check.problem(check.line_of(raw, "id"), f"lesson id '{lesson_id}' is used twice")
        seen_lessons.add(lesson_id or "")
        lesson_title = check.text(raw, "title", f"lesson '{lesson_id}'", TITLE_MAX)
        text = check.text(raw, "text", f"lesson '{lesson_id}'", LESSON_MAX)
        image = None
        if raw.get("image") is not None:
            image = check.root / str(raw["image"])
            if image.suffix.lower() not in {".jpg", ".jpeg", ".png"} or not image.is_file():
                check.problem(check.line_of(raw, "image"), f"image '{raw['image']}' is not a jpg/png file here")
                image = None
        quiz = _quiz(check, raw.get("quiz"), lesson_id, seen_questions)
        if lesson_id:
            lessons.append(Lesson(lesson_id, lesson_title, text, image, tuple(quiz)))
    if course_id is None:
        return None
    return Course(course_id, title, summary, tuple(lessons), order)


def _quiz(check: Checker, raw_quiz: Any, lesson_id: str | None, seen: set[str]) -> list[Question]:
    if raw_quiz is None:
        return []
    if not isinstance(raw_quiz, list):
        check.problem(getattr(raw_quiz, "line", 0), f"lesson '{lesson_id}': 'quiz' must be a list of questions")
        return []
    questions = []
    for raw in raw_quiz:
        if not isinstance(raw, dict):
            check.problem(getattr(raw_quiz, "line", 0), "each quiz question must be a map")
            continue
        qid = check.ident(raw, "id", "a quiz question")
        if qid in seen:
            check.problem(check.line_of(raw, "id"), f"question id '{qid}' is used twice in this course")
        seen.add(qid or "")
        question = check.text(raw, "question", f"question '{qid}'", QUESTION_MAX)
        raw_choices = raw.get("choices")
        choices: list[Choice] = []
        if not isinstance(raw_choices, list) or not 2 <= len(raw_choices) <= 4:
            check.problem(check.line_of(raw, "choices"), f"question '{qid}' needs 2 to 4 'choices'")
            continue
        for rc in raw_choices:
            if not isinstance(rc, dict):
                check.problem(getattr(raw_choices, "line", 0), f"question '{qid}': each choice must be a map")
                continue
            choices.append(
                Choice(
                    check.text(rc, "text", f"a choice of '{qid}'", CHOICE_MAX),
                    rc.get("correct") is True,
                    check.text(rc, "feedback", f"a choice of '{qid}'", FEEDBACK_MAX, required=False),
                )
            )
        if sum(c.correct for c in choices) != 1:
            check.problem(
                check.line_of(raw, "choices"), f"question '{qid}' needs exactly one choice with correct: true"
            )
            continue
        if qid:
            questions.append(Question(qid, question, tuple(choices)))
    return questions


def read_faq(check: Checker, data: Any, library: Library) -> None:
    if not isinstance(data, list):
        check.problem(1, "an FAQ file must be a list of entries")
        return
    for raw in data:
        if not isinstance(raw, dict):
            check.problem(getattr(data, "line", 0), "each FAQ entry must be a map")
            continue
        entry_id = check.ident(raw, "id", "an FAQ entry")
        taken = entry_id in library.faq or entry_id in library.out_of_scope
        if taken:
            check.problem(check.line_of(raw, "id"), f"FAQ id '{entry_id}' is used twice")
        out_of_scope = raw.get("topic") == OUT_OF_SCOPE
        if out_of_scope:
            answer = Text()
            if "answer" in raw:
                check.problem(check.line_of(raw, "answer"),
                              f"FAQ '{entry_id}' is out of scope: it has no answer (the bot offers a person)")
        else:
            answer = check.text(raw, "answer", f"FAQ '{entry_id}'", ANSWER_MAX)
        raw_questions = raw.get("questions")
        questions: dict[str, tuple[str, ...]] = {}
        line = check.line_of(raw, "questions")
        if not isinstance(raw_questions, dict):
            check.problem(line, f"FAQ '{entry_id}' needs 'questions': a map of language: list of phrasings")
        else:
            for lang, phrasings in raw_questions.items():
                if lang not in CONTENT_LANGUAGES:
                    check.problem(line, f"FAQ '{entry_id}' has questions in an unknown language '{lang}'")
                    continue
                if isinstance(phrasings, str):
                    phrasings = [phrasings]
                if not isinstance(phrasings, list) or not all(isinstance(p, str) and p.strip() for p in phrasings):
                    check.problem(line, f"FAQ '{entry_id}' questions in '{lang}' must be a list of texts")
                    continue
                questions[lang] = tuple(unicodedata.normalize("NFC", p.strip()) for p in phrasings)
            if REQUIRED_LANGUAGE not in questions:
                check.problem(line, f"FAQ '{entry_id}' has no English questions")
        if entry_id and not taken:
            entry = FaqEntry(entry_id, str(raw.get("topic", "other")), questions, answer)
            (library.out_of_scope if out_of_scope else library.faq)[entry_id] = entry
