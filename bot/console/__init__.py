"""The trainer console: a web app for trainers and admins, served by the same aiohttp app as the webhooks.

- ``links``: one-time sign-in links (``/web`` in chat, ``smce-bot admin web-login``);
- ``auth``: the route table (each route with its role), sessions, CSRF, security headers;
- ``signin``, ``dashboard``, ``learners``, ``exports``: the pages; ``render``/``texts``: templates and words;
- ``app``: ``add_console(app, db, settings, clock)`` mounts it all at ``/admin``.

Its queries live in ``storage.console`` and ``storage.sessions``.
"""
