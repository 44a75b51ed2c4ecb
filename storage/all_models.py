"""Imports every module that declares tables, so ``Base.metadata`` knows them all."""

import storage.channels  # noqa: F401
import storage.faq  # noqa: F401
import storage.market  # noqa: F401
import storage.models  # noqa: F401
import storage.trainer  # noqa: F401
