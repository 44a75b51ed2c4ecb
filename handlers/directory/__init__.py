"""The community directory (issue 18): SMCE profiles written by chat and moderated like listings, browsed by
craft and place and searched with the marketplace's search index; featured profiles and listings; the
owner's consent to public web pages (served by ``bot.public``).

- ``actions``: every button (``dir:…`` payloads); ``common``: steps, limits, the card, the search index;
- ``create`` (the profile conversation; its helpers in ``draft``), ``mine`` (edit, hide, web pages);
- ``moderation`` (approve / reject, ``/profiles``), ``browse`` (home, craft, place, search, one profile),
  ``contact`` (public contact or relay), ``featured`` (``/feature``, the Featured list, announcing).

The queries are in ``storage.directory``.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.router import Router
from handlers.directory import browse, contact, create, featured, mine, moderation
from handlers.directory.actions import FEATURED, HOME
from handlers.menu import add_item

router = Router("directory")
for part in (moderation, featured, mine, create, browse, contact):
    router.include(part.router)

add_item(N_("Directory"), HOME.encode(), 32, visible=lambda ctx: ctx.user.onboarded)
add_item(N_("Featured"), FEATURED.encode(), 34, visible=lambda ctx: ctx.user.onboarded)
