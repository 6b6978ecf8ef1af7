"""Formats the site uses where Django's own for a language do not suit it (FORMAT_MODULE_PATH)."""
