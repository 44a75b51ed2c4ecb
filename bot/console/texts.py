"""The console's words, marked for the bot's catalogs (``N_``) and translated per request: templates write
``{{ T.dashboard }}``; Python writes ``texts.get("dashboard")``. Same catalogs as the bot, same nine languages."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_percent

from bot.i18n import N_, Translator

TEXTS: dict[str, str] = {
    "console": N_("Trainer console"),
    "dashboard": N_("Dashboard"),
    "learners": N_("Learners"),
    "report": N_("Periodic report"),
    "sign_out": N_("Sign out"),
    "language": N_("Language"),
    "sign_in_title": N_("Sign in to the trainer console"),
    "sign_in_help": N_("Send /web to the bot in Telegram, WhatsApp or the terminal chat. If you are a trainer "
                       "or an admin, it answers with a sign-in link that works once, for 15 minutes. Open it "
                       "on this device."),
    "sign_in_button": N_("Sign in"),
    "sign_in_confirm": N_("Press the button to sign in to the trainer console."),
    "link_refused": N_("This sign-in link cannot be used: it is wrong, expired or was already used. Send /web "
                       "to the bot for a new one."),
    "signed_out": N_("You are signed out."),
    "period": N_("Period"),
    "days_7": N_("Last 7 days"),
    "days_30": N_("Last 30 days"),
    "days_90": N_("Last 90 days"),
    "days_365": N_("Last 12 months"),
    "all_time": N_("All time"),
    "country": N_("Country"),
    "channel": N_("Channel"),
    "course": N_("Course"),
    "craft": N_("Craft"),
    "province": N_("Province or city"),
    "sex": N_("Sex"),
    "age_band": N_("Age band"),
    "any": N_("Any"),
    "apply": N_("Apply"),
    "total": N_("Learners in total"),
    "active_7": N_("Active in the last 7 days"),
    "active_30": N_("Active in the last 30 days"),
    "new": N_("New in the period"),
    "new_per_week": N_("New learners per week"),
    "lessons_done": N_("Lessons completed"),
    "courses_done": N_("Courses completed"),
    "courses_completed": N_("Courses completed"),
    "quiz_rate": N_("Quiz answers correct"),
    "listings": N_("Listings"),
    "pending": N_("Waiting for review"),
    "live": N_("Live"),
    "expired": N_("Expired"),
    "faq": N_("Questions to the FAQ"),
    "answered": N_("Answered"),
    "missed": N_("Not answered"),
    "handed_over": N_("Handed to a person"),
    "announcements": N_("Announcements"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "unknown": N_("Not given"),
    "search": N_("Name or address"),
    "find": N_("Search"),
    "name": N_("Name"),
    "joined": N_("Joined"),
    "last_seen": N_("Last message"),
    "next_page": N_("Next page"),
    "no_learners": N_("No learners match."),
    "export_csv": N_("Export CSV"),
    "export_xlsx": N_("Export Excel"),
    "export_progress": N_("Export progress CSV"),
    "export_json": N_("Export JSON"),
    "profile": N_("Profile"),
    "addresses": N_("Addresses"),
    "progress": N_("Progress per course"),
    "started": N_("Started"),
    "completed": N_("Completed"),
    "quiz": N_("Quiz answers"),
    "question": N_("Question"),
    "correct": N_("Correct"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "tickets": N_("Questions handed to a person"),
    "status": N_("Status"),
    "title": N_("Title"),
    "price": N_("Price"),
    "nothing": N_("Nothing yet."),
    "beneficiaries": N_("Beneficiaries"),
    "listings_posted": N_("Listings posted"),
    # course analytics, erasing a learner, more exports (bot/console/courses.py, learners.py, exports.py)
    "courses_page": N_("Courses"),
    "cohort_help": N_("Counted for the learners of the chosen country and channel who started the course in the "
                      "period; certificates by the day they were issued."),
    "completion_rate": N_("Completion rate"),
    "median_time": N_("Median time to complete"),
    "course_certificates": N_("Certificates issued"),
    "review_open": N_("Questions in review"),
    "review_mastered": N_("Mastered in review"),
    "not_in_library": N_("no longer in the content library"),
    "funnel": N_("Lessons: started and completed"),
    "funnel_help": N_("Started: the lesson was shown. Completed: its quiz was answered (a lesson without a quiz: "
                      "the learner went on). Stopped here: got this far and no further."),
    "lesson": N_("Lesson"),
    "stopped_here": N_("Stopped here"),
    "quiz_questions": N_("Quiz questions"),
    "answers": N_("Answers"),
    "correct_share": N_("Answered correctly"),
    "top_wrong": N_("Most chosen wrong answer"),
    "export_completions": N_("Export completions CSV"),
    "export_completions_xlsx": N_("Export completions Excel"),
    "export_progress_xlsx": N_("Export progress Excel"),
    "export_listings": N_("Export listings CSV"),
    "export_listings_xlsx": N_("Export listings Excel"),
    "export_faq_misses": N_("Export unanswered FAQ questions CSV"),
    "export_faq_misses_xlsx": N_("Export unanswered FAQ questions Excel"),
    "data_rights": N_("Data rights"),
    "data_rights_help": N_("Trainers and admins can export everything kept about a learner as JSON. Erasing a "
                           "learner is for admins only (a data-protection decision)."),
    "erase_button": N_("Erase this learner…"),
    "erase_title": N_("Erase learner"),
    "erase_intro": N_("Erasing does what the learner's own /forget does, and it cannot be undone. These records "
                      "are deleted:"),
    "erase_waiting": N_("Messages not sent yet (cancelled)"),
    "erase_certificates": N_("Certificates (kept only as anonymous counts)"),
    "erase_kept": N_("Kept without a name or an address, so that other people's records stay whole: delivery "
                     "counts of announcements, reports they filed, listings under moderation. Nothing more is "
                     "sent to them."),
    "erase_export_first": N_("If the learner asked for a copy of their data, export it first."),
    "erase_confirm": N_("Erase this learner now"),
    "erase_cancel": N_("Keep the learner"),
    "erase_staff": N_("Only learners can be erased here. Remove this person's trainer or admin role first."),
    "erased_note": N_("Learner #{number} was erased."),
}


class Texts:
    """The console's words in one language, plus babel's numbers, percentages and dates."""

    def __init__(self, t: Translator) -> None:
        self.t = t

    def __getattr__(self, key: str) -> str:
        try:
            return self.t.gettext(TEXTS[key])
        except KeyError:
            raise AttributeError(key) from None

    def get(self, key: str, **values: object) -> str:
        return self.t.gettext(TEXTS[key], **values)

    def number(self, value: Any) -> str:
        return self.t.number(value or 0)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.t.locale)

    def date(self, moment: Any) -> str:
        return self.t.datetime(moment) if moment else "–"
