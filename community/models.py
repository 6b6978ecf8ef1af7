"""Models for the community app arrive with its feature issue."""
