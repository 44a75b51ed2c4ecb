"""Translation tooling (``smce-bot i18n ...``), separate from runtime i18n in ``bot.i18n``."""
