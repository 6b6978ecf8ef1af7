"""Brand content: the Wagtail pages editors write (home, stories), feeds, search."""
