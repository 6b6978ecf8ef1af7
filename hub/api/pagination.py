"""Cursor pagination for every API list: stable under inserts, no page counting."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "limit"
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        """The view's ``cursor_ordering`` (ending in a unique field), else newest first."""
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
