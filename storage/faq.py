"""Tables of the faq feature (declared on storage.models.Base)."""

from __future__ import annotations
