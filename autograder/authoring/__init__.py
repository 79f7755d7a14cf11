"""Commands that generate files from the single source of truth in ``source/``."""
