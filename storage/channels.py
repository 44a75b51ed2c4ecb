"""Tables of the channels feature (declared on storage.models.Base)."""

from __future__ import annotations
