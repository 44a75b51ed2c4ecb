"""The FAQ's buttons, declared once (``bot.payloads.Action``): each both builds a button's payload and,
as a router filter, recognises its press. The wire strings are the ones the FAQ has always sent."""

from __future__ import annotations

from bot.payloads import Action

# --- the asker (answer.py) ---
ASK = Action("faq:ask")  # "Ask a question" (menu item)
CANCEL = Action("faq:cancel")  # "Cancel" on the prompts that wait for a question (Back is menu:home)
SHOW = Action("faq:show", str, int, optional_last=True)  # faq:show:<entry id>[:<unanswered log id>]
FEEDBACK = Action("faq:fb", int, str)  # faq:fb:<answer id>:<y|n> ("Was this helpful?")
YES, NO = "y", "n"

# --- the hand-over to a trainer (tickets.py) ---
HUMAN = Action("faq:human")  # "Talk to a trainer" (menu item): asks for the question
# A person about a question already asked: faq:human:q:<unanswered log id> or faq:human:a:<answer id>.
HUMAN_ABOUT = Action("faq:human", str, int)
ABOUT_UNANSWERED, ABOUT_ANSWER = "q", "a"
BACK = Action("faq:back", int)  # faq:back:<ticket id>: the asker writes back
TICKETS = Action("faq:tickets")  # "Open tickets" (menu item, trainers)
TAKE = Action("faq:take", int)  # faq:take:<ticket id>
CLOSE = Action("faq:close", int)  # faq:close:<ticket id>
