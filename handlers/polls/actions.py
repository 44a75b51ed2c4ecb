"""The polls' buttons, declared once (``bot.payloads.Action``).

On the wire: ``pt:<action>:<poll id>[:...]`` for the trainer's screens (refused to anyone else by the
``staff`` filter), ``poll:<action>:<question id>[:...]`` for a recipient's answers.
"""

from __future__ import annotations

from bot.payloads import Action

# The trainer's screens.
NEW = Action("pt:new")
LIST = Action("pt:list")
KIND = Action("pt:kind", int, str)  # poll id, single | multiple | text
MORE = Action("pt:more", int)  # add another question
DONE_QUESTIONS = Action("pt:qdone", int)  # no more questions: the audience
AUDIENCE = Action("pt:aud", int, str)  # language | country | province | craft | course | clear | show
COURSE = Action("pt:crs", int, str)  # course id: ask which learners of it
SET = Action("pt:set", int, str, str, str, optional_last=True)  # field, value[, course state]
ANONYMOUS = Action("pt:anon", int, int)  # 1 anonymous, 0 named
OPENS = Action("pt:opens", int, str)  # now | later
CLOSES = Action("pt:closes", int, int)  # hours after opening; 0: type a date
CONFIRM = Action("pt:go", int)
DISCARD = Action("pt:discard", int)
RESULTS = Action("pt:res", int)
CSV = Action("pt:csv", int)
END = Action("pt:end", int)  # close an open poll now

# A recipient's answers (by question id).
SHOW = Action("poll:show", int)  # the poll's next unanswered question (by poll id)
PICK = Action("poll:a", int, int)  # single choice: the choice's position
TOGGLE = Action("poll:t", int, int)  # multiple choice: the choices ticked so far, as a bit mask
FINISH = Action("poll:d", int, int)  # multiple choice: done, with the mask
WRITE = Action("poll:w", int)  # free text: "I will type my answer"
