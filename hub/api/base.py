"""What every API view shares: API-key authentication, scopes, the per-key rate limit, cursor
pagination, JSON only, and problem-details errors. Feature apps subclass ``ApiViewSet`` for the
resources they register (see hub.api.registry)."""

from rest_framework import viewsets
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from .authentication import ApiKeyAuthentication
from .exceptions import exception_handler
from .pagination import ApiCursorPagination
from .permissions import HasScope
from .schema import ApiAutoSchema
from .throttling import ApiKeyThrottle


class ApiViewMixin:
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyThrottle]
    pagination_class = ApiCursorPagination
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()
    # The scope each action needs ({"list": "perks:read"}), or one ``scope`` for all of them.
    scopes: dict[str, str] = {}
    scope: str | None = None

    def get_exception_handler(self):
        return exception_handler

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate = getattr(request, "_rate_limit", None)
        if rate is not None:
            limit, remaining, reset = rate
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
        response.setdefault("Cache-Control", "no-store")
        return response


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A read or write resource under /api/v1/ (add the list/retrieve mixins you need)."""


class ReadOnlyApiViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """A resource that is listed and read one by one."""
