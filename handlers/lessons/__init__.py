"""Micro-lessons: courses, lessons, quizzes and progress."""

from handlers.lessons.course import router

__all__ = ["router"]
