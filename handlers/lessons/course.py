"""Micro-lessons: course list, one lesson a message, quizzes with immediate feedback, progress.

Payloads: ``course:<id>`` (course card), ``lesson:<id>`` (next lesson or open question),
``quiz:<course>:<question>:<choice>`` (an answer), ``course:restart:<id>``. Progress lives in
``lesson_progress`` and ``quiz_answers``, so a learner resumes where they left on any channel.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.context import Context
from bot.i18n import N_
from bot.media import MediaRejected, MediaStore
from bot.router import Command, Onboarded, Router, Words
from bot.types import Button, Media, rows
from content import Course, Lesson, Question, Text
from handlers.menu import add_item
from storage.models import LessonProgress, QuizAnswer

router = Router("lessons")

add_item(N_("Courses"), "menu:courses", 10)
add_item(N_("My progress"), "menu:progress", 20)


def text_in(ctx: Context, text: Text) -> str:
    value, fell_back = text.get_text(ctx.user.language or "en")
    if fell_back:
        return value + "\n\n" + ctx._("(Not translated into your language yet, so here it is in English.)")
    return value


def plain(ctx: Context, text: Text) -> str:
    """A short text (title, button) in the user's language or English, without the note."""
    return text.in_(ctx.user.language or "en")


async def progress_of(ctx: Context, course_id: str) -> LessonProgress | None:
    query = select(LessonProgress).where(
        LessonProgress.user_id == ctx.user.id, LessonProgress.course_id == course_id
    )
    return (await ctx.session.scalars(query)).first()


async def answers_of(ctx: Context, course_id: str) -> dict[str, QuizAnswer]:
    query = select(QuizAnswer).where(QuizAnswer.user_id == ctx.user.id, QuizAnswer.course_id == course_id)
    return {a.question_id: a for a in (await ctx.session.scalars(query)).all()}


async def all_progress(ctx: Context) -> dict[str, LessonProgress]:
    """Every course's progress of this user, in one query (the course list and My progress)."""
    query = select(LessonProgress).where(LessonProgress.user_id == ctx.user.id)
    return {p.course_id: p for p in (await ctx.session.scalars(query)).all()}


async def all_answers(ctx: Context) -> dict[str, list[QuizAnswer]]:
    """Every quiz answer of this user, by course, in one query."""
    by_course: dict[str, list[QuizAnswer]] = {}
    for a in (await ctx.session.scalars(select(QuizAnswer).where(QuizAnswer.user_id == ctx.user.id))).all():
        by_course.setdefault(a.course_id, []).append(a)
    return by_course


def course_status(ctx: Context, course: Course, progress: LessonProgress | None) -> str:
    total = len(course.lessons)
    if progress is None:
        return ctx._("not started")
    if progress.completed_at is not None:
        return ctx._("completed")
    return ctx._("{done} of {total} lessons", done=progress.lessons_done, total=total)


@router.button("menu:courses", filters=[Onboarded])
async def list_courses(ctx: Context) -> None:
    courses = ctx.deps.library.ordered_courses()
    buttons = []
    lines = []
    progress = await all_progress(ctx)
    for course in courses:
        status = course_status(ctx, course, progress.get(course.id))
        lines.append(f"• {plain(ctx, course.title)} ({status})")
        buttons.append(Button(plain(ctx, course.title)[:40], f"course:{course.id}"))
    buttons.append(Button(ctx._("Main menu"), "menu:home"))
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("Courses"))


@router.button("course", filters=[Onboarded])
async def course_card(ctx: Context) -> None:
    parts = ctx.payload_parts
    restart = len(parts) == 3 and parts[1] == "restart"
    course = ctx.deps.library.courses.get(parts[-1])
    if course is None:
        ctx.reply(ctx._("That course is no longer available."))
        await list_courses(ctx)
        return
    if restart:
        await ctx.session.execute(delete(LessonProgress).where(
            LessonProgress.user_id == ctx.user.id, LessonProgress.course_id == course.id))
        await ctx.session.execute(delete(QuizAnswer).where(
            QuizAnswer.user_id == ctx.user.id, QuizAnswer.course_id == course.id))
        await show_next(ctx, course)
        return
    progress = await progress_of(ctx, course.id)
    lessons = ctx.ngettext("{n} short lesson", "{n} short lessons", len(course.lessons))
    text = f"{text_in(ctx, course.summary)}\n\n{lessons} · {course_status(ctx, course, progress)}"
    if progress is None:
        go = Button(ctx._("Start"), f"lesson:{course.id}")
    elif progress.completed_at is not None:
        go = Button(ctx._("Start again"), f"course:restart:{course.id}")
    else:
        go = Button(ctx._("Continue"), f"lesson:{course.id}")
    ctx.reply(text, rows(go, Button(ctx._("All courses"), "menu:courses")), title=plain(ctx, course.title))


@router.button("lesson", filters=[Onboarded])
async def next_lesson(ctx: Context) -> None:
    course = ctx.deps.library.courses.get(ctx.payload_parts[-1])
    if course is None:
        ctx.reply(ctx._("That course is no longer available."))
        await list_courses(ctx)
        return
    await show_next(ctx, course)


async def show_next(ctx: Context, course: Course) -> None:
    """Whatever comes next in this course: an open question, the next lesson, or the end."""
    progress = await progress_of(ctx, course.id)
    if progress is None:
        progress = LessonProgress(user_id=ctx.user.id, course_id=course.id, next_lesson=0, lessons_done=0,
                                  started_at=ctx.now, updated_at=ctx.now)
        ctx.session.add(progress)
    answers = await answers_of(ctx, course.id)
    if progress.next_lesson > 0:
        open_question = first_unanswered(course.lessons[progress.next_lesson - 1], answers)
        if open_question is not None:
            ask(ctx, course, open_question)
            return
    if progress.next_lesson >= len(course.lessons):
        finish(ctx, course, progress, answers)
        return
    index = progress.next_lesson
    lesson = course.lessons[index]
    progress.next_lesson = index + 1
    progress.lessons_done = max(progress.lessons_done, index + 1)
    progress.updated_at = ctx.now
    header = ctx._("Lesson {number} of {total}", number=index + 1, total=len(course.lessons))
    question = first_unanswered(lesson, answers)
    buttons = () if question is not None else rows(
        Button(ctx._("Next lesson") if index + 1 < len(course.lessons) else ctx._("Finish"), f"lesson:{course.id}"),
        Button(ctx._("Main menu"), "menu:home"), width=2,
    )
    ctx.reply(f"{header}\n\n{text_in(ctx, lesson.text)}", buttons, title=plain(ctx, lesson.title),
              photo=lesson_photo(ctx, lesson))
    if question is not None:
        ask(ctx, course, question)


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


def first_unanswered(lesson: Lesson, answers: dict[str, QuizAnswer]) -> Question | None:
    return next((q for q in lesson.quiz if q.id not in answers), None)


def ask(ctx: Context, course: Course, question: Question) -> None:
    buttons = rows(*(
        Button(plain(ctx, choice.text)[:60], f"quiz:{course.id}:{question.id}:{i}")
        for i, choice in enumerate(question.choices)
    ))
    ctx.reply(text_in(ctx, question.question), buttons, title=ctx._("Quiz"))


@router.button("quiz", filters=[Onboarded])
async def answer(ctx: Context) -> None:
    parts = ctx.payload_parts
    course = ctx.deps.library.courses.get(parts[1]) if len(parts) == 4 else None
    found = course.question(parts[2]) if course is not None else None
    if course is None or found is None or not parts[3].isdigit() or int(parts[3]) >= len(found[1].choices):
        ctx.reply(ctx._("That question is no longer available."))
        return
    lesson_index, question = found
    answers = await answers_of(ctx, course.id)
    if question.id in answers:
        ctx.reply(ctx._("You already answered this question."),
                  rows(Button(ctx._("Continue"), f"lesson:{course.id}")))
        return
    choice_index = int(parts[3])
    choice = question.choices[choice_index]
    record = QuizAnswer(user_id=ctx.user.id, course_id=course.id, question_id=question.id,
                        choice=choice_index, correct=choice.correct, answered_at=ctx.now)
    ctx.session.add(record)
    answers[question.id] = record
    verdict = ctx._("✅ Correct!") if choice.correct else ctx._("❌ Not quite.")
    feedback = text_in(ctx, choice.feedback) if choice.feedback else ""
    if not choice.correct:
        right = question.choices[question.correct_index]
        feedback += "\n" + ctx._("The right answer: {answer}", answer=plain(ctx, right.text))
    lesson = course.lessons[lesson_index]
    following = first_unanswered(lesson, answers)
    if following is not None:
        ctx.reply(f"{verdict} {feedback}".strip())
        ask(ctx, course, following)
        return
    progress = await progress_of(ctx, course.id)
    at_end = progress is not None and progress.next_lesson >= len(course.lessons)
    label = ctx._("Finish") if at_end else ctx._("Next lesson")
    ctx.reply(f"{verdict} {feedback}".strip(),
              rows(Button(label, f"lesson:{course.id}"), Button(ctx._("Main menu"), "menu:home"), width=2))


def finish(ctx: Context, course: Course, progress: LessonProgress, answers: dict[str, QuizAnswer]) -> None:
    if progress.completed_at is None:
        progress.completed_at = ctx.now
        progress.updated_at = ctx.now
    total = len(course.questions)
    right = sum(1 for a in answers.values() if a.correct)
    text = ctx._("🎉 You finished “{course}”!", course=plain(ctx, course.title))
    if total:
        text += "\n" + ctx._("Quiz: {right} of {total} right.", right=right, total=total)
    ctx.reply(text, rows(Button(ctx._("More courses"), "menu:courses"), Button(ctx._("Main menu"), "menu:home"),
                         width=2))


@router.on(Command("progress"), Onboarded)
@router.on(Words(N_("progress")), Onboarded)
@router.button("menu:progress", filters=[Onboarded])
async def progress(ctx: Context) -> None:
    lines = []
    buttons = []
    all_prog = await all_progress(ctx)
    answers = await all_answers(ctx) if all_prog else {}
    for course in ctx.deps.library.ordered_courses():
        prog = all_prog.get(course.id)
        if prog is None:
            continue
        line = f"• {plain(ctx, course.title)}: {course_status(ctx, course, prog)}"
        if course.questions:
            line += " · " + ctx._("quiz {right}/{total}", right=sum(a.correct for a in answers.get(course.id, ())),
                                  total=len(course.questions))
        lines.append(line)
        if prog.completed_at is None:
            buttons.append(Button(ctx._("Continue: {course}", course=plain(ctx, course.title))[:60],
                                  f"lesson:{course.id}"))
    if not lines:
        ctx.reply(ctx._("You have not started a course yet."),
                  rows(Button(ctx._("Courses"), "menu:courses"), Button(ctx._("Main menu"), "menu:home")))
        return
    buttons += [Button(ctx._("All courses"), "menu:courses"), Button(ctx._("Main menu"), "menu:home")]
    ctx.reply("\n".join(lines), rows(*buttons), title=ctx._("My progress"))
