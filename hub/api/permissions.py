"""Scopes: every API view names the scope each action needs; a key without it gets 403."""

from rest_framework import exceptions, permissions

from .exceptions import InsufficientScope
from .models import ApiKey


def required_scope(view) -> str:
    """The scope the view's current action needs: ``scopes[action]``, else ``scope``."""
    action = getattr(view, "action", None)
    scopes = getattr(view, "scopes", {}) or {}
    scope = scopes.get(action) or getattr(view, "scope", None)
    if not scope:
        raise exceptions.PermissionDenied()  # an API view must name its scope
    return scope


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated()
        scope = required_scope(view)
        if not request.auth.has_scope(scope):
            raise InsufficientScope(scope)
        return True
