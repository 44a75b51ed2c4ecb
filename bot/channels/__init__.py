"""Channel adapters: one module per platform behind the ``Channel`` protocol (``base``), built from
settings by ``registry`` (one line per channel). Channels import neither handlers nor storage."""
