"""``/admin/content`` (trainers): the content library as the files are now — courses, lessons, quizzes and
FAQ entries, in each language, rendered as each channel shows them (the lesson and quiz messages of
``handlers.lessons``, through ``bot.console.preview``: Telegram's text and buttons, WhatsApp's text with
numbered choices) — with the problems ``smce-bot content check`` finds beside them. Read only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.console.auth import CONSOLE, TRAINER, page
from bot.console.library import fresh_library
from bot.console.preview import telegram_bubbles, whatsapp_bubbles
from bot.console.render import add_nav, render
from bot.console.texts import TEXTS
from bot.i18n import LANGUAGES, N_, translator
from bot.types import Reply
from content import CONTENT_LANGUAGES, Course, FaqEntry, Library, Problem
from handlers.lessons.common import text_for
from handlers.lessons.course import lesson_reply
from handlers.lessons.quiz import quiz_reply

add_nav("/content", "cnt_content", TRAINER, 60)

TEXTS.update({
    "cnt_content": N_("Content"),
    "cnt_content_help": N_("The content library as its files are now, with the problems the content check finds. "
                       "Change it in the files (see content/FORMAT.md); the console only shows it."),
    "cnt_content_language": N_("Show in"),
    "cnt_content_problems": N_("Problems"),
    "cnt_no_problems": N_("No problems found."),
    "cnt_courses": N_("Courses"),
    "cnt_lessons": N_("Lessons"),
    "cnt_quiz_questions": N_("Quiz questions"),
    "cnt_missing": N_("Not translated"),
    "cnt_faq_entries": N_("FAQ entries"),
    "cnt_out_of_scope": N_("Out-of-scope examples"),
    "cnt_phrasings": N_("Phrasings"),
    "cnt_answer": N_("Answer"),
})


def _language(request: web.Request) -> str:
    code = request.query.get("show", "")
    return code if code in CONTENT_LANGUAGES else "en"


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGES[code].native_name if code in LANGUAGES else code) for code in CONTENT_LANGUAGES]


def course_problems(problems: list[Problem], course: Course) -> list[Problem]:
    return [p for p in problems if Path(p.file).stem == course.id or f"'{course.id}'" in p.message]


def entry_problems(problems: list[Problem], entry: FaqEntry) -> list[Problem]:
    return [p for p in problems if f"'{entry.id}'" in p.message]


def missing_languages(course: Course) -> list[str]:
    """Languages some text of the course lacks."""
    texts = [course.title, course.summary, *(x for lesson in course.lessons for x in (lesson.title, lesson.text)),
             *(q.question for q in course.questions), *(c.text for q in course.questions for c in q.choices)]
    return [code for code in CONTENT_LANGUAGES if any(text and code not in text for text in texts)]


async def _load(request: web.Request) -> tuple[Library, list[Problem]]:
    return await asyncio.to_thread(fresh_library, request.app[CONSOLE].settings)


@page("GET", "/content", TRAINER)
async def content(request: web.Request) -> web.StreamResponse:
    library, problems = await _load(request)
    show = _language(request)
    courses = [{"id": c.id, "title": c.title.in_(show), "lessons": len(c.lessons), "questions": len(c.questions),
                "missing": missing_languages(c), "problems": course_problems(problems, c)}
               for c in library.ordered_courses()]
    entries = [{"id": e.id, "topic": e.topic, "question": (e.questions.get(show) or e.questions.get("en") or ("",))[0],
                "phrasings": {code: len(p) for code, p in e.questions.items()},
                "answers": [code for code in CONTENT_LANGUAGES if code in e.answer],
                "problems": entry_problems(problems, e)}
               for e in sorted(library.faq.values(), key=lambda e: (e.topic, e.id))]
    return render(request, "content.html", problems=problems, courses=courses, entries=entries, show=show,
                  content_languages=_languages(), out_of_scope=len(library.out_of_scope))


def _shown(reply: Reply, language: str) -> dict[str, Any]:
    return {"telegram": telegram_bubbles(reply), "whatsapp": whatsapp_bubbles(reply, language)}


@page("GET", "/content/courses/{id}", TRAINER)
async def course_page(request: web.Request) -> web.StreamResponse:
    library, problems = await _load(request)
    course = library.courses.get(request.match_info["id"])
    if course is None:  # gone from the files: back to the list
        raise web.HTTPSeeOther("/admin/content")
    show = _language(request)
    t = translator(show)
    lessons = []
    for index, lesson in enumerate(course.lessons):
        messages = [_shown(lesson_reply(t, course, index, None, bool(lesson.quiz)), t.language)]
        messages += [_shown(quiz_reply(t, course, q), t.language) for q in lesson.quiz]
        lessons.append({"id": lesson.id, "image": lesson.image is not None, "messages": messages,
                        "correct": [q.choices[q.correct_index].text.in_(show) for q in lesson.quiz]})
    return render(request, "content_course.html", course=course, title=course.title.in_(show), lessons=lessons,
                  problems=course_problems(problems, course), show=show, content_languages=_languages())


@page("GET", "/content/faq/{id}", TRAINER)
async def faq_entry(request: web.Request) -> web.StreamResponse:
    library, problems = await _load(request)
    entry = library.faq.get(request.match_info["id"]) or library.out_of_scope.get(request.match_info["id"])
    if entry is None:
        raise web.HTTPSeeOther("/admin/content")
    show = _language(request)
    t = translator(show)
    question = (entry.questions.get(show) or entry.questions.get("en") or ("",))[0]
    shown = _shown(Reply(text_for(t, entry.answer), title=question), t.language) if entry.answer else None
    return render(request, "content_faq.html", entry=entry, shown=shown, problems=entry_problems(problems, entry),
                  show=show, content_languages=_languages())
