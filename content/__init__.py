"""The content library: courses of micro-lessons with quizzes, and FAQ entries, from plain YAML files.

The format is documented in ``content/FORMAT.md``. ``load_library`` reads a folder and returns the
library plus every problem found, each with its file and line, so ``smce-bot content check`` can name
them and the bot can refuse to start on a broken library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REQUIRED_LANGUAGE = "en"
CONTENT_LANGUAGES = ("en", "lo", "km", "vi", "th", "id", "ms", "my", "fil")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
LESSON_MAX = 700
QUESTION_MAX = 300
CHOICE_MAX = 60
FEEDBACK_MAX = 300
ANSWER_MAX = 900
TITLE_MAX = 120
OUT_OF_SCOPE = "out-of-scope"  # FAQ topic of examples the FAQ does not answer


class Text(dict[str, str]):
    """One piece of text in several languages: ``{"en": ..., "lo": ...}``."""

    def get_text(self, language: str) -> tuple[str, bool]:
        """The text in ``language``, or the English one; the flag says whether it fell back."""
        if language in self:
            return self[language], False
        return self.get(REQUIRED_LANGUAGE, ""), language != REQUIRED_LANGUAGE

    def in_(self, language: str) -> str:
        return self.get_text(language)[0]


@dataclass(frozen=True)
class Choice:
    text: Text
    correct: bool
    feedback: Text


@dataclass(frozen=True)
class Question:
    id: str
    question: Text
    choices: tuple[Choice, ...]

    @property
    def correct_index(self) -> int:
        return next(i for i, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Text
    text: Text
    image: Path | None = None
    quiz: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Course:
    id: str
    title: Text
    summary: Text
    lessons: tuple[Lesson, ...]
    order: int = 100

    def question(self, question_id: str) -> tuple[int, Question] | None:
        for index, lesson in enumerate(self.lessons):
            for q in lesson.quiz:
                if q.id == question_id:
                    return index, q
        return None

    @property
    def questions(self) -> list[Question]:
        return [q for lesson in self.lessons for q in lesson.quiz]


@dataclass(frozen=True)
class FaqEntry:
    id: str
    topic: str
    questions: dict[str, tuple[str, ...]]
    answer: Text


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Library:
    root: Path
    courses: dict[str, Course] = field(default_factory=dict)
    faq: dict[str, FaqEntry] = field(default_factory=dict)
    # Questions the FAQ does not answer (topic ``out-of-scope``, no answer): when one matches best,
    # the bot says it cannot answer and offers a person instead of a wrong entry.
    out_of_scope: dict[str, FaqEntry] = field(default_factory=dict)

    def ordered_courses(self) -> list[Course]:
        return sorted(self.courses.values(), key=lambda c: (c.order, c.id))

    def missing_translations(self, languages: Iterable[str] = CONTENT_LANGUAGES) -> dict[str, int]:
        """How many texts lack each language (0 = complete)."""
        texts = list(_all_texts(self))
        return {lang: sum(1 for t in texts if lang not in t) for lang in languages}

    def text_count(self) -> int:
        return sum(1 for _ in _all_texts(self))


def _all_texts(library: Library) -> Iterable[Text]:
    for course in library.courses.values():
        yield course.title
        yield course.summary
        for lesson in course.lessons:
            yield lesson.title
            yield lesson.text
            for q in lesson.quiz:
                yield q.question
                for c in q.choices:
                    yield c.text
                    yield c.feedback
    for entry in library.faq.values():
        yield entry.answer


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


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.file = ""

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def line_of(self, node: Any, key: str | None = None) -> int:
        if isinstance(node, _Map) and key is not None and key in node.lines:
            return node.lines[key]
        return getattr(node, "line", 0)

    def load(self, path: Path) -> Any:
        self.file = str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            self.problem((mark.line + 1) if mark else 0, f"not valid YAML: {exc.problem}")
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            self.problem(0, f"cannot read: {exc}")
        return FAILED

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


def _course(check: _Checker, data: Any) -> Course | None:
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
            check.problem(getattr(raw, "line", raw_lessons.line if isinstance(raw_lessons, _Seq) else 0),
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


def _quiz(check: _Checker, raw_quiz: Any, lesson_id: str | None, seen: set[str]) -> list[Question]:
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


def _faq(check: _Checker, data: Any, library: Library) -> None:
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


def load_library(root: Path | str) -> tuple[Library, list[Problem]]:
    root = Path(root)
    library = Library(root)
    check = _Checker(root)
    if not root.is_dir():
        check.problem(0, f"no content folder at {root}")
        return library, check.problems
    for path in sorted((root / "courses").glob("*.y*ml")):
        data = check.load(path)
        if data is FAILED:
            continue
        course = _course(check, data)
        if course is None:
            continue
        if course.id in library.courses:
            check.problem(1, f"course id '{course.id}' is used by another file too")
            continue
        library.courses[course.id] = course
    for path in sorted((root / "faq").glob("*.y*ml")):
        data = check.load(path)
        if data is not FAILED:
            _faq(check, data, library)
    if not library.courses:
        check.file = str(root)
        check.problem(0, "no courses found under courses/")
    return library, check.problems
