"""The trainer's buttons and the announcements' own button, declared once (``bot.payloads.Action``).

On the wire: ``trainer:<action>[:<broadcast id>[:...]]`` for the trainer's screens, ``ann:tap:<id>`` for an
announcement's "I'm interested" button.
"""

from __future__ import annotations

from bot.payloads import Action

TRAINER = "trainer"  # every trainer button starts with "trainer:" (refused to anyone else)

TOOLS = Action("trainer:tools")
NEW = Action("trainer:new")
LIST = Action("trainer:list")
REPORT = Action("trainer:report", int, optional_last=True)  # the latest one, or one by id
NOOP = Action("trainer:noop")  # the buttons of a preview

# On a draft (by broadcast id).
AUDIENCE = Action("trainer:aud", int, str)  # language | country | province | craft | course | clear | show
COURSE = Action("trainer:crs", int, str)  # course id: ask which learners of it
SET = Action("trainer:set", int, str, str, str, optional_last=True)  # field, value[, course state]
BUTTON = Action("trainer:btn", int)
PREVIEW = Action("trainer:preview", int)
NOW = Action("trainer:now", int)
LATER = Action("trainer:later", int)
DISCARD = Action("trainer:discard", int)
CANCEL = Action("trainer:cancel", int)  # a scheduled or sending one

TAP = Action("ann:tap", int)  # a learner pressed "I'm interested"
LINK = Action("ann:link", int, int)  # a learner pressed the announcement's link button (broadcast id, index)
