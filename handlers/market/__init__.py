"""The marketplace: SMCEs post listings by chat, moderators check them, everyone browses, searches and
gets in touch with sellers, on any channel.

- ``actions``: every button of the marketplace (``market:…`` payloads), declared once;
- ``common``: steps, limits, rendering a listing for any channel, publishing, telling the moderators;
- ``moderation``: approve / reject / take down / keep, by trainers and admins;
- ``post`` (the guided listing conversation, draft kept in ``market_drafts``; its helpers in ``draft``),
  ``confirm`` (the preview's edit / cancel / publish), ``mine`` (My listings: edit, sold, renew, delete);
- ``browse``: the marketplace's home, by category or place, and the search conversation (index: ``search``);
- ``contact`` (one listing, contact the seller, relay), ``reports``, ``queue`` (what waits for moderators);
- ``jobs``: copying photos into the media store, expiry reminders and expiry.

The queries are in ``storage.market``. Routers are tried in the order included below.
"""

from __future__ import annotations

import handlers.market.pages  # noqa: F401 - the console's /admin/listings pages
from bot.i18n import N_
from bot.jobs import Job
from bot.router import Router
from handlers.market import browse, confirm, contact, jobs, mine, moderation, post, queue, reports
from handlers.market.actions import HOME
from handlers.menu import add_item

router = Router("market")
for part in (moderation, post, confirm, mine, browse, contact, reports, queue):
    router.include(part.router)

add_item(N_("Marketplace"), HOME.encode(), 30, visible=lambda ctx: ctx.user.onboarded)

JOBS: list[Job] = list(jobs.JOBS)
