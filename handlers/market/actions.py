"""The marketplace's buttons, declared once (``bot.payloads.Action``): each both builds a button's payload and,
as a router filter, recognises its press. The wire strings are the ones the marketplace has always sent.
"""

from __future__ import annotations

from bot.context import Context
from bot.payloads import Action

# --- browsing, search, contact, reports (browse.py, contact.py, reports.py) ---
HOME = Action("market:home")
CATEGORIES = Action("market:cats")
PLACES = Action("market:places")
COUNTRY = Action("market:pl", str, optional_last=True)  # market:pl:<CC>
BROWSE = Action("market:b", str, str, int)  # market:b:<category|->:<CC|->:<offset>
BROWSE_PROVINCE = Action("market:bp", str, str, int)  # market:bp:<CC>:<province code>:<offset>
SEARCH = Action("market:search")
SEARCH_MORE = Action("market:sm", int, optional_last=True)  # market:sm:<offset>
VIEW = Action("market:v", int)  # market:v:<listing id>
CONTACT_SELLER = Action("market:c", int)  # market:c:<listing id>
RELAY_REPLY = Action("market:r", int)  # market:r:<relay id>
REPORT = Action("market:rep", int, str, optional_last=True)  # market:rep:<listing id>[:<reason>]

# --- the moderation queue (queue.py) ---
QUEUE = Action("market:queue", int, optional_last=True)  # market:queue:<offset>
QUEUE_REPORTS = Action("market:qrep", int, optional_last=True)  # market:qrep:<offset>

# --- posting a listing (post.py, confirm.py) ---
POST = Action("market:post")
RESUME = Action("market:resume")
NEW = Action("market:new")
CATEGORY = Action("market:cat", str, optional_last=True)  # market:cat:<code>
PHOTOS_DONE = Action("market:photos:done")
PHOTOS_SKIP = Action("market:photos:skip")
CONTACT_KIND = Action("market:contact", str, optional_last=True)  # market:contact:<telegram|whatsapp|relay>
KEEP = Action("market:keep")
CONFIRM = Action("market:confirm")
EDIT = Action("market:edit", str, optional_last=True)  # market:edit[:<field>]
CANCEL = Action("market:cancel", str, optional_last=True)  # market:cancel[:yes]

# --- My listings (mine.py) ---
MINE = Action("market:mine")
MANAGE = Action("market:m", int)  # market:m:<listing id>
EDIT_LISTING = Action("market:me", int)
SOLD = Action("market:sold", int)
RENEW = Action("market:renew", int)
DELETE = Action("market:del", int, str, optional_last=True)  # market:del:<listing id>[:yes]

# --- moderators' decisions (moderation.py) ---
APPROVE = Action("market:mod:ok", int)
REJECT = Action("market:mod:no", int)
KEEP_LISTING = Action("market:mod:keep", int)
MOD_BACK = Action("market:mod:back")
MODERATION = (APPROVE, REJECT, KEEP_LISTING, MOD_BACK)


def moderation_button(ctx: Context) -> bool:
    """As a router filter: a press of any moderator's button (``market:mod:…``)."""
    return any(action(ctx) for action in MODERATION)
