"""Micro-lessons: courses, lessons, quizzes and progress.

``common`` holds the router and the payloads, ``course`` the course list, lessons and progress, ``quiz``
the questions and answers. Queries are in ``storage.lessons``.
"""

from handlers.lessons import course, quiz
from handlers.lessons import pages as pages  # the console's /admin/content (routes register)
from handlers.lessons.common import router

__all__ = ["course", "quiz", "router"]
