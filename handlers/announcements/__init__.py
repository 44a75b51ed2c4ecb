"""Trainer tools: roles and invite codes, composing announcements with an audience, scheduling,
delivery reports."""

from handlers.announcements.compose import JOBS, router

__all__ = ["JOBS", "router"]
