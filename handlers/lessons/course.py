"""Micro-lessons: course list, one lesson a message, the end of a course, progress.

Progress lives in ``lesson_progress`` and ``quiz_answers`` (queries in ``storage.lessons``), so a learner
resumes where they left on any channel. Payloads are declared in ``handlers.lessons.common``; quizzes are
in ``handlers.lessons.quiz``.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.context import Context
from bot.i18n import N_, Translator
from bot.media import MediaRejected, MediaStore
from bot.router import Command, Onboarded, Words
from bot.types import Button, Media, Reply, rows
from content import Course, Lesson
from handlers.certificates import award, caption, send_certificate
from handlers.lessons.common import (
    COURSE,
    COURSES,
    LESSON,
    PROGRESS,
    RESTART,
    complete_if_done,
    plain,
    router,
    text_for,
    text_in,
)
from handlers.lessons.quiz import ask, first_unanswered
from handlers.menu import HOME
from storage.lessons import all_answers, all_progress, answers_of, progress_of, restart_course, start_course
from storage.models import LessonProgress, QuizAnswer
from storage.review import review_counts

__all__ = ["course_status", "plain", "router", "show_next", "text_in"]


def done_parts(ctx: Context, course: Course, progress: LessonProgress, answers: Iterable[QuizAnswer]) -> list[str]:
    """What is done, said as such: lessons read (opened) and quiz questions answered (and how many right).
    A course is completed when every lesson is read and every question answered (``finish``)."""
    parts = [ctx._("Lessons read: {read} of {total}", read=min(progress.lessons_done, len(course.lessons)),
                   total=len(course.lessons))]
    if course.questions:
        ids = {q.id for q in course.questions}
        answered = [a for a in answers if a.question_id in ids]
        parts.append(ctx._("Quiz questions answered: {answered} of {total} ({right} right)", answered=len(answered),
                           total=len(ids), right=sum(a.correct for a in answered)))
    return parts


def course_status(ctx: Context, course: Course, progress: LessonProgress | None, answers: Iterable[QuizAnswer] = (),
                  short: bool = False) -> str:
    """Not started, completed (with the quiz result unless ``short``), or what is done so far."""
    if progress is None:
        return ctx._("not started")
    parts = done_parts(ctx, course, progress, answers)
    if progress.completed_at is not None:
        parts = [ctx._("completed")] + ([] if short else parts[1:])
    return " · ".join(parts)


@router.on(COURSES, Onboarded)
async def list_courses(ctx: Context) -> None:
    courses = ctx.deps.library.ordered_courses()
    buttons = []
    lines = []
    progress = await all_progress(ctx.session, ctx.user.id)
    answers = await all_answers(ctx.session, ctx.user.id) if progress else {}
    for course in courses:
        status = course_status(ctx, course, progress.get(course.id), answers.get(course.id, ()), short=True)
        lines.append(f"• {plain(ctx, course.title)} ({status})")
        buttons.append(Button(plain(ctx, course.title)[:40], COURSE.encode(course.id)))
    buttons.append(Button(ctx._("Main menu"), HOME.encode()))
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("Courses"))


@router.on(RESTART, Onboarded)
@router.on(COURSE, Onboarded)
async def course_card(ctx: Context) -> None:
    restarting = RESTART.decode(ctx.msg.payload)
    course = ctx.deps.library.courses.get(restarting[0] if restarting else COURSE.arg(ctx, ""))
    if course is None:
        ctx.reply(ctx._("That course is no longer available."))
        await list_courses(ctx)
        return
    if restarting:
        await restart_course(ctx.session, ctx.user.id, course.id)
        await show_next(ctx, course)
        return
    progress = await progress_of(ctx.session, ctx.user.id, course.id)
    answers = (await answers_of(ctx.session, ctx.user.id, course.id)).values() if progress else ()
    lessons = ctx.ngettext("{n} short lesson", "{n} short lessons", len(course.lessons))
    text = f"{text_in(ctx, course.summary)}\n\n{lessons} · {course_status(ctx, course, progress, answers)}"
    if progress is None:
        go = Button(ctx._("Start"), LESSON.encode(course.id))
    elif progress.completed_at is not None:
        go = Button(ctx._("Start again"), RESTART.encode(course.id))
    else:
        go = Button(ctx._("Continue"), LESSON.encode(course.id))
    ctx.reply(text, rows(go, Button(ctx._("All courses"), COURSES.encode())), title=plain(ctx, course.title))


@router.on(LESSON, Onboarded)
async def next_lesson(ctx: Context) -> None:
    course = ctx.deps.library.courses.get(LESSON.arg(ctx, ""))
    if course is None:
        ctx.reply(ctx._("That course is no longer available."))
        await list_courses(ctx)
        return
    await show_next(ctx, course)


async def show_next(ctx: Context, course: Course) -> None:
    """Whatever comes next in this course: an open question, the next lesson, or the end."""
    progress = await progress_of(ctx.session, ctx.user.id, course.id)
    if progress is None:
        progress = start_course(ctx.session, ctx.user.id, course.id, ctx.now)
    answers = await answers_of(ctx.session, ctx.user.id, course.id)
    if progress.next_lesson > 0:
        open_question = first_unanswered(course.lessons[progress.next_lesson - 1], answers)
        if open_question is not None:
            ask(ctx, course, open_question)
            return
    if progress.next_lesson >= len(course.lessons):
        await finish(ctx, course, progress, answers)
        return
    index = progress.next_lesson
    lesson = course.lessons[index]
    progress.next_lesson = index + 1
    progress.lessons_done = max(progress.lessons_done, index + 1)
    progress.updated_at = ctx.now
    question = first_unanswered(lesson, answers)
    complete_if_done(ctx, course, progress, answers)
    ctx.replies.append(lesson_reply(ctx.t, course, index, lesson_photo(ctx, lesson), question is not None))
    if question is not None:
        ask(ctx, course, question)


def lesson_reply(t: Translator, course: Course, index: int, photo: Media | None, asks: bool) -> Reply:
    """Lesson ``index`` of the course as one message; ``asks``: a quiz question follows (no buttons then)."""
    lesson = course.lessons[index]
    header = t.gettext("Lesson {number} of {total}", number=index + 1, total=len(course.lessons))
    buttons = () if asks else rows(
        Button(t.gettext("Next lesson") if index + 1 < len(course.lessons) else t.gettext("Finish"),
               LESSON.encode(course.id)),
        Button(t.gettext("Main menu"), HOME.encode()), width=2,
    )
    return Reply(f"{header}\n\n{text_for(t, lesson.text)}", buttons, photo=photo, title=lesson.title.in_(t.language))


def lesson_photo(ctx: Context, lesson: Lesson) -> Media | None:
    if lesson.image is None:
        return None
    store = ctx.deps.extras.get("media")
    if not isinstance(store, MediaStore):
        return None
    try:
        key = store.save(lesson.image.read_bytes())
    except (OSError, MediaRejected):
        return None
    return Media("photo", key=key)


async def finish(ctx: Context, course: Course, progress: LessonProgress, answers: dict[str, QuizAnswer]) -> None:
    """The completion message; with every quiz question answered it comes as the caption of the certificate."""
    if progress.completed_at is None:
        progress.completed_at = ctx.now
        progress.updated_at = ctx.now
    text = ctx._("🎉 You finished “{course}”!", course=plain(ctx, course.title))
    text += "\n" + " · ".join(done_parts(ctx, course, progress, answers.values()))
    buttons = rows(Button(ctx._("More courses"), COURSES.encode()), Button(ctx._("Main menu"), HOME.encode()), width=2)
    if all(q.id in answers for q in course.questions):
        record = await award(ctx, course)
        send_certificate(ctx, record, text + "\n\n" + caption(ctx, record), buttons)
        return
    ctx.reply(text, buttons)


@router.on(Command("progress"), Onboarded)
@router.on(Words(N_("progress")), Onboarded)
@router.on(PROGRESS, Onboarded)
async def progress(ctx: Context) -> None:
    lines = []
    buttons = []
    all_prog = await all_progress(ctx.session, ctx.user.id)
    answers = await all_answers(ctx.session, ctx.user.id) if all_prog else {}
    for course in ctx.deps.library.ordered_courses():
        prog = all_prog.get(course.id)
        if prog is None:
            continue
        lines.append(f"• {plain(ctx, course.title)}: {course_status(ctx, course, prog, answers.get(course.id, ()))}")
        if prog.completed_at is None:
            buttons.append(Button(ctx._("Continue: {course}", course=plain(ctx, course.title))[:60],
                                  LESSON.encode(course.id)))
    if not lines:
        ctx.reply(ctx._("You have not started a course yet."),
                  rows(Button(ctx._("Courses"), COURSES.encode()), Button(ctx._("Main menu"), HOME.encode())))
        return
    reviewed = (await review_counts(ctx.session, ctx.user.id)).values()
    if reviewed:  # spaced review (handlers.review): mastered = box 5 or past it
        lines.append("\n" + ctx._("Mastered in review: {mastered} of {total} questions",
                                  mastered=sum(m for _, m in reviewed), total=sum(n for n, _ in reviewed)))
    buttons += [Button(ctx._("All courses"), COURSES.encode()), Button(ctx._("Main menu"), HOME.encode())]
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("My progress"))
