"""Models for the events app arrive with its feature issue."""
