"""The directory's buttons, declared once (``bot.payloads.Action``): each builds a button's payload and, as a
router filter, recognises its press."""

from __future__ import annotations

from bot.context import Context
from bot.payloads import Action

# --- browsing, search, one profile, contact (browse.py, contact.py) ---
HOME = Action("dir:home")
CRAFTS = Action("dir:crafts")
PLACES = Action("dir:places")
BROWSE = Action("dir:b", str, str, int)  # dir:b:<craft|->:<CC|->:<offset>
SEARCH = Action("dir:search")
SEARCH_MORE = Action("dir:sm", int, optional_last=True)  # dir:sm:<offset>
VIEW = Action("dir:v", int)  # dir:v:<profile id>
CONTACT = Action("dir:c", int)  # dir:c:<profile id>
RELAY_REPLY = Action("dir:r", int)  # dir:r:<relay id>

# --- writing a profile (create.py) ---
START = Action("dir:new")
RESUME = Action("dir:resume")
KIND = Action("dir:kind", str)  # person | group
CRAFT = Action("dir:craft", str)  # a craft code (toggled) or "done"
COUNTRY = Action("dir:country", str)
PHOTOS_DONE = Action("dir:photos:done")
PHOTOS_SKIP = Action("dir:photos:skip")
CONTACT_KIND = Action("dir:ck", str)  # relay | public
LANGUAGE = Action("dir:lang", str)  # a language code (toggled) or "done"
SKIP = Action("dir:skip")  # leave an optional field empty
KEEP = Action("dir:keep")
EDIT = Action("dir:edit", str, optional_last=True)  # dir:edit[:<field>]
CONFIRM = Action("dir:confirm")
CANCEL = Action("dir:cancel")

# --- the owner's page (mine.py) ---
MINE = Action("dir:mine")
HIDE = Action("dir:hide")
SHOW = Action("dir:show")
WEB = Action("dir:web", str)  # dir:web:<on|off>: the profile's public web page
LISTING_WEB = Action("dir:lw", int, str)  # dir:lw:<listing id>:<on|off>
WEB_LISTINGS = Action("dir:wl")

# --- moderators (moderation.py) ---
APPROVE = Action("dir:mod:ok", int)
REJECT = Action("dir:mod:no", int)
MOD_BACK = Action("dir:mod:back")
MODERATION = (APPROVE, REJECT, MOD_BACK)

# --- featured (featured.py) ---
FEATURED = Action("dir:featured")
FEATURE = Action("dir:feat", str, int)  # dir:feat:<p|l>:<id>
UNFEATURE = Action("dir:unfeat", str, int)
ANNOUNCE = Action("dir:ann", str, int)
FEATURE_ACTIONS = (FEATURE, UNFEATURE, ANNOUNCE)


def moderation_button(ctx: Context) -> bool:
    return any(action(ctx) for action in MODERATION)


def feature_button(ctx: Context) -> bool:
    return any(action(ctx) for action in FEATURE_ACTIONS)
