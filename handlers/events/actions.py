"""The buttons of events, declared once (``bot.payloads.Action``): each builds a payload and, as a router filter,
recognises its press. ``ev:v:<id>`` is also what an announcement's button to an event carries."""

from __future__ import annotations

from bot.payloads import Action
from handlers.announcements import compose

# --- learners (browse.py) ---
LIST = Action("ev:list")  # the menu entry: upcoming events
VIEW = Action("ev:v", int)  # ev:v:<event id>
RSVP = Action("ev:rsvp", int)
CANCEL = Action("ev:cancel", int, str, optional_last=True)  # ev:cancel:<event id>[:yes]
MINE = Action("ev:mine")
TICKET = Action("ev:ticket", int)  # my check-in code and QR again

# --- trainers: creating (create.py) ---
NEW = Action("ev:new")
KIND = Action("ev:kind", str)
ZONE = Action("ev:zone", str)  # a country code whose time zone the event uses
SKIP = Action("ev:skip")  # no location / no description
LANGUAGE = Action("ev:lang", str)  # toggle a language
LANGUAGES_DONE = Action("ev:langs")
PUBLISH = Action("ev:publish")
DISCARD = Action("ev:discard")

# --- trainers: announcing an event (announce.py) ---
ANNOUNCE = Action("ev:ann", int)
# An announcement about an event carries ``{"kind": "event", "event": <id>}`` in ``Broadcast.links``: its button
# is this label with ``VIEW.encode(<id>)`` (rendered by handlers.announcements.compose.extra_buttons).
EVENT_BUTTON = compose.EVENT_BUTTON  # the label, declared where the button is drawn

# --- trainers: the door (checkin.py) ---
ATTENDANCE = Action("ev:att", int)
CHECKIN = Action("ev:checkin", int)  # ask for codes at this event's door
