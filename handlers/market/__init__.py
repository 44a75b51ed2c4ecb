"""The marketplace: SMCEs post listings by chat, moderators check them, everyone browses, searches and
gets in touch with sellers, on any channel.

- ``post``: the guided listing conversation (draft kept in ``market_drafts``), editing, My listings;
- ``moderation``: approve / reject / take down by trainers and admins;
- ``browse``: browse by category or place, search (``search``), contact and relay, reports;
- ``jobs``: copying photos into the media store, expiry reminders and expiry.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.jobs import Job
from bot.router import Router
from handlers.market import browse as market_browse
from handlers.market import jobs as market_jobs
from handlers.market import moderation as market_moderation
from handlers.market import post as market_post
from handlers.menu import add_item

router = Router("market")
router.include(market_moderation.router)
router.include(market_post.router)
router.include(market_browse.router)

add_item(N_("Marketplace"), "market:home", 30, visible=lambda ctx: ctx.user.onboarded)

JOBS: list[Job] = list(market_jobs.JOBS)
