"""FAQ: answers free-text questions from the content library, offers choices, hands over to a trainer."""

from handlers.faq.answer import JOBS, router

__all__ = ["JOBS", "router"]
