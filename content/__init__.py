"""The content library: courses of micro-lessons with quizzes, and FAQ entries, from plain YAML files.

The format is documented in ``content/FORMAT.md``. The package is split by what each part does:

- ``content.model``: the types (``Text``, ``Choice``, ``Question``, ``Lesson``, ``Course``, ``FaqEntry``,
  ``Problem``, ``Library``) and the limits;
- ``content.loader``: ``load_library(folder)``, reading YAML that remembers line numbers;
- ``content.check``: the checker that turns parsed YAML into those types and names every problem with
  its file and line (``smce-bot content check``; the bot refuses to start on a broken library).

Import from ``content`` itself (``from content import load_library, Course``): it re-exports all of it.
"""

from __future__ import annotations

from content.loader import load_library
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

__all__ = [
    "ANSWER_MAX", "CHOICE_MAX", "CONTENT_LANGUAGES", "FEEDBACK_MAX", "ID_RE", "LESSON_MAX", "OUT_OF_SCOPE",
    "QUESTION_MAX", "REQUIRED_LANGUAGE", "TITLE_MAX", "Choice", "Course", "FaqEntry", "Lesson", "Library",
    "Problem", "Question", "Text", "load_library",
]
