"""Models for the feedback app arrive with its feature issue."""
