"""Quizzes: a lesson's questions asked one at a time, each answer with immediate feedback."""

from __future__ import annotations

from bot.context import Context
from bot.i18n import Translator
from bot.router import Onboarded
from bot.types import Button, Reply, rows
from content import Course, Lesson, Question
from handlers.lessons.common import LESSON, QUIZ, complete_if_done, plain, router, text_for, text_in
from handlers.menu import HOME
from storage.lessons import answers_of, progress_of, record_answer
from storage.models import QuizAnswer
from storage.review import refresh_due_hint, schedule_wrong


def first_unanswered(lesson: Lesson, answers: dict[str, QuizAnswer]) -> Question | None:
    return next((q for q in lesson.quiz if q.id not in answers), None)


def ask(ctx: Context, course: Course, question: Question) -> None:
    ctx.replies.append(quiz_reply(ctx.t, course, question))


def quiz_reply(t: Translator, course: Course, question: Question) -> Reply:
    """A quiz question with its choices as buttons."""
    buttons = rows(*(
        Button(choice.text.in_(t.language)[:60], QUIZ.encode(course.id, question.id, i))
        for i, choice in enumerate(question.choices)
    ))
    return Reply(text_for(t, question.question), buttons, title=t.gettext("Quiz"))


def verdict(ctx: Context, correct: bool, feedback: str) -> str:
    """The verdict said once: the mark before the content's own feedback, which usually opens with its own
    "Right." or "Not quite." in the learner's language; our words only when the content has no feedback."""
    mark = "✅" if correct else "❌"
    if feedback:
        return f"{mark} {feedback}"
    return ctx._("✅ Correct!") if correct else ctx._("❌ Not quite.")


@router.on(QUIZ, Onboarded)
async def answer(ctx: Context) -> None:
    course_id, question_id, choice_index = QUIZ.args(ctx)
    course = ctx.deps.library.courses.get(course_id)
    found = course.question(question_id) if course is not None else None
    if course is None or found is None or not 0 <= choice_index < len(found[1].choices):
        ctx.reply(ctx._("That question is no longer available."))
        return
    lesson_index, question = found
    answers = await answers_of(ctx.session, ctx.user.id, course.id)
    if question.id in answers:
        ctx.reply(ctx._("You already answered this question."),
                  rows(Button(ctx._("Continue"), LESSON.encode(course.id))))
        return
    choice = question.choices[choice_index]
    record = record_answer(ctx.session, ctx.user.id, course.id, question.id, choice_index, choice.correct, ctx.now)
    answers[question.id] = record
    if not choice.correct:  # it comes back in spaced review (handlers.review)
        await schedule_wrong(ctx.session, ctx.user.id, course.id, question.id, ctx.now)
        await refresh_due_hint(ctx.session, ctx.user)
    text = verdict(ctx, choice.correct, text_in(ctx, choice.feedback) if choice.feedback else "")
    if not choice.correct:
        right = question.choices[question.correct_index]
        text += "\n" + ctx._("The right answer: {answer}", answer=plain(ctx, right.text))
    lesson = course.lessons[lesson_index]
    following = first_unanswered(lesson, answers)
    if following is not None:
        ctx.reply(text)
        ask(ctx, course, following)
        return
    progress = await progress_of(ctx.session, ctx.user.id, course.id)
    if progress is not None:
        complete_if_done(ctx, course, progress, answers)
    at_end = progress is not None and progress.next_lesson >= len(course.lessons)
    label = ctx._("Finish") if at_end else ctx._("Next lesson")
    ctx.reply(text,
              rows(Button(label, LESSON.encode(course.id)), Button(ctx._("Main menu"), HOME.encode()), width=2))
