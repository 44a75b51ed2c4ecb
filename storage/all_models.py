"""Imports every module that declares tables, so ``Base.metadata`` knows them all."""

import storage.channels
import storage.faq
import storage.market
import storage.models
import storage.trainer  # noqa: F401
