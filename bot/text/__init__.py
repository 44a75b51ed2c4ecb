"""Text: normalisation, matching (FAQ and search), splitting for platform limits."""
