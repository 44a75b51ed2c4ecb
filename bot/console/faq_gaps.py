"""``/admin/faq`` (trainers): the questions the bot could not answer, grouped by similarity with the FAQ's
matcher (``bot.faq_gaps``), with counts per language; for a group, a form for the answer and more
phrasings that produces the FAQ entry as a YAML snippet (shown to copy, or downloaded as a file) and shows
how the bot would answer the group's questions with it added. Nothing is written: the library stays files
under version control, changed by whoever runs it."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot import faq_gaps
from bot.console.auth import CONSOLE, TRAINER, page
from bot.console.library import console_library
from bot.console.render import add_nav, render
from bot.console.texts import TEXTS
from bot.i18n import LANGUAGES, N_
from bot.text.faq_index import FaqIndex
from content import ANSWER_MAX, CONTENT_LANGUAGES, ID_RE, REQUIRED_LANGUAGE, Library
from storage.faq import FaqUnanswered, unanswered_by_id, unanswered_since

PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
MAX_QUESTIONS = 1000  # grouped at once, the newest (about 2 s of a worker thread, cached while nothing new comes)
MAX_GROUP = 50  # questions of one group carried into the entry form
PHRASINGS_MAX = 2000

add_nav("/faq", "gap_faq_gaps", TRAINER, 45)

TEXTS.update({
    "gap_faq_gaps": N_("FAQ gaps"),
    "gap_faq_gaps_help": N_("Questions the bot could not answer, grouped when they ask the same thing. Write an "
                        "answer for a group: the console makes the FAQ entry for the content library."),
    "gap_questions_asked": N_("Questions"),
    "gap_per_language": N_("Per language"),
    "gap_write_answer": N_("Write the answer"),
    "gap_no_gaps": N_("No unanswered questions in this period."),
    "gap_entry_id": N_("Entry id (lowercase letters, digits and -)"),
    "gap_topic": N_("Topic"),
    "gap_answer_in": N_("Answer in {language}"),
    "gap_phrasings_in": N_("More ways to ask it in {language}, one per line"),
    "gap_make_entry": N_("Make the entry"),
    "gap_download_yaml": N_("Download the YAML"),
    "gap_snippet_help": N_("Add this to a file in the content library's faq/ folder, run smce-bot content check, "
                       "and restart the bot. The console does not change the library."),
    "gap_entry_problems": N_("The content check finds problems in this entry:"),
    "gap_how_answered": N_("How the bot answers these questions"),
    "gap_now_answer": N_("Now"),
    "gap_with_entry": N_("With this entry"),
    "gap_answers_with": N_("answers with {entry}"),
    "gap_offers": N_("offers {entries}"),
    "gap_no_answer": N_("no answer"),
    "gap_grouped_questions": N_("The group's questions (added as phrasings)"),
})


def _period(request: web.Request) -> str:
    period = request.query.get("period", "90")
    return period if period in PERIODS else "90"


def _asked(rows: list[FaqUnanswered]) -> list[faq_gaps.Asked]:
    return [faq_gaps.Asked(r.id, r.question, r.language, r.created_at) for r in rows]


@page("GET", "/faq", TRAINER)
async def gaps(request: web.Request) -> web.StreamResponse:
    console = request.app[CONSOLE]
    period = _period(request)
    language = request.query.get("language", "")
    language = language if language in LANGUAGES else ""
    days = PERIODS[period]
    since = console.clock.now() - timedelta(days=days) if days is not None else None
    async with console.db.read() as session:
        rows = await unanswered_since(session, since, language or None, MAX_QUESTIONS)
    asked = _asked(rows)
    groups = await _grouped(asked)
    per_language = Counter(q.language or "?" for q in asked)
    return render(request, "faq_gaps.html", groups=groups, total=len(asked), per_language=per_language.most_common(),
                  period=period, language=language, periods=list(PERIODS),
                  all_languages=[(code, info.native_name) for code, info in LANGUAGES.items()])


_GROUPED: dict[tuple[int, ...], list[faq_gaps.Group]] = {}


async def _grouped(asked: list[faq_gaps.Asked]) -> list[faq_gaps.Group]:
    """The groups of these questions (the last few results kept: reloading the page costs nothing)."""
    key = tuple(q.id for q in asked)
    found = _GROUPED.get(key)
    if found is None:
        found = await asyncio.to_thread(faq_gaps.group_questions, asked)
        if len(_GROUPED) >= 8:
            _GROUPED.pop(next(iter(_GROUPED)))
        _GROUPED[key] = found
    return found


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:MAX_GROUP]


def _suggest_id(text: str, library: Library) -> str:
    words = re.findall(r"[a-z0-9]+", text.casefold())[:5]
    base = "-".join(words)[:32].strip("-") or "new-entry"
    candidate, n = base, 2
    while candidate in library.faq or candidate in library.out_of_scope:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


async def _group(request: web.Request, ids: list[int]) -> list[faq_gaps.Asked]:
    async with request.app[CONSOLE].db.read() as session:
        return _asked(await unanswered_by_id(session, ids))


def _form_context(asked: list[faq_gaps.Asked], values: dict[str, Any]) -> dict[str, Any]:
    others = {q.language for q in asked if q.language in CONTENT_LANGUAGES} - {REQUIRED_LANGUAGE}
    languages = [REQUIRED_LANGUAGE, *sorted(code for code in others if code)]
    return {"asked": asked, "values": values, "topics": faq_gaps.TOPICS, "answer_max": ANSWER_MAX,
            "form_languages": [(code, LANGUAGES[code].native_name) for code in languages if code in LANGUAGES]}


@page("GET", "/faq/entry", TRAINER)
async def entry_form(request: web.Request) -> web.StreamResponse:
    asked = await _group(request, _ids(request.query.getall("q", [])))
    if not asked:
        raise web.HTTPSeeOther("/admin/faq")
    library = console_library(request.app[CONSOLE].settings)
    values = {"entry_id": _suggest_id(asked[-1].text, library), "topic": "other"}
    return render(request, "faq_gaps_entry.html", snippet=None, problems=[], trials=[], **_form_context(asked, values))


_BEFORE: dict[int, tuple[Library, FaqIndex]] = {}


def _before_index(library: Library) -> FaqIndex:
    """The index of the library as the bot has it (built once per library, like ``bot.text.index_for``)."""
    cached = _BEFORE.get(id(library))
    if cached is None or cached[0] is not library:
        cached = _BEFORE[id(library)] = (library, FaqIndex.for_library(library))
    return cached[1]


@page("POST", "/faq/entry", TRAINER)
async def make_entry(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    asked = await _group(request, _ids([v for v in form.getall("q", []) if isinstance(v, str)]))
    if not asked:
        raise web.HTTPSeeOther("/admin/faq")
    library = console_library(request.app[CONSOLE].settings)

    def text(name: str, limit: int) -> str:
        value = form.get(name)
        return value.replace("\r\n", "\n").strip()[:limit] if isinstance(value, str) else ""

    entry_id = text("entry_id", 40).casefold()
    topic = text("topic", 40)
    draft = faq_gaps.Draft(
        entry_id=entry_id if ID_RE.match(entry_id) else "",
        topic=topic if topic in faq_gaps.TOPICS else "other",
        answers={code: text(f"answer_{code}", ANSWER_MAX + 100) for code in CONTENT_LANGUAGES},
        phrasings={code: text(f"phrasings_{code}", PHRASINGS_MAX).splitlines() for code in CONTENT_LANGUAGES})
    yaml_text = faq_gaps.snippet(faq_gaps.entry_data(draft, asked))
    if form.get("download"):
        return web.Response(text=yaml_text, content_type="application/x-yaml", charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="faq-{draft.entry_id or "entry"}.yaml"'})
    entry, problems = faq_gaps.check_snippet(yaml_text, library)
    trials: list[faq_gaps.Trial] = []
    if entry is not None:
        before = await asyncio.to_thread(_before_index, library)
        trials = await asyncio.to_thread(faq_gaps.try_entry, library, entry, [q.text for q in asked], before)
    values = {"entry_id": text("entry_id", 40), "topic": draft.topic,
              **{f"answer_{c}": draft.answers[c] for c in CONTENT_LANGUAGES},
              **{f"phrasings_{c}": "\n".join(draft.phrasings[c]) for c in CONTENT_LANGUAGES}}
    return render(request, "faq_gaps_entry.html", snippet=yaml_text, problems=[str(p) for p in problems],
                  trials=trials, new_id=draft.entry_id, **_form_context(asked, values))
