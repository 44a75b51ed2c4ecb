"""Tables of the market feature (declared on storage.models.Base)."""

from __future__ import annotations
