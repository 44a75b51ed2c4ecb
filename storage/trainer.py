"""Tables of the trainer feature (declared on storage.models.Base)."""

from __future__ import annotations
