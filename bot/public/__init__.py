"""Public web pages of the community directory (issue 18), for people without the bot: ``/p/<slug>`` (a
profile), ``/l/<id>`` (a listing) and ``/directory`` (every profile whose owner agreed).

Only what the owner agreed to show (``public``) of what is live; a withdrawn consent or a hidden item is
410 Gone. Light pages: no JavaScript, one inline stylesheet, photos shrunk to fit the page budget
(``images``), Open Graph and Twitter-card tags for link previews, in the owner's language with a switcher.
Storage queries only: ``bot`` never imports ``handlers`` (the craft names come in from ``bot.service``).
"""
