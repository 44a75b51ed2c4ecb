"""Imports every module that declares tables, so ``Base.metadata`` knows them all.

Migrations (``storage/migrations/env.py``), the service and the tests import it; nothing it imports
imports it back. A new feature module with tables gets one line here.
"""

import storage.announcements
import storage.audit
import storage.certificates
import storage.console
import storage.console_learners
import storage.console_listed_summary
import storage.console_summary
import storage.deadletters
import storage.directory
import storage.events
import storage.faq
import storage.links
import storage.market
import storage.models
import storage.polls
import storage.review
import storage.sessions
import storage.workers  # noqa: F401
