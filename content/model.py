"""The content library's types: texts in several languages, courses of lessons with quizzes, FAQ entries.

``content.loader`` builds them from YAML (checked by ``content.check``); the format is in ``content/FORMAT.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
