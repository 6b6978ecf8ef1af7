"""Fixtures for the leak, bypass and bad-input tests: the forum's members and categories."""

from tests.community.conftest import ana, ben, category, limits, moderator, site  # noqa: F401
