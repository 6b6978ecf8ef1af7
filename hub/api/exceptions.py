"""Every API error as problem details (RFC 9457), through one DRF exception handler.

The ``type`` names the kind of error (``/problems/insufficient-scope``), so a client can switch
on it; validation errors list the fields in ``errors``; 429 carries ``Retry-After``.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from hub.errors import Refusal
from hub.problems import CONTENT_TYPE, problem_body
from hub.ratelimit import RateLimited

logger = logging.getLogger(__name__)


class InsufficientScope(exceptions.PermissionDenied):
    default_detail = gettext_lazy("This API key may not do this.")
    default_code = "insufficient-scope"

    def __init__(self, scope: str):
        super().__init__(
            _("This API key lacks the scope “%(scope)s” that this request needs.")
            % {"scope": scope}
        )
        self.scope = scope


class Problem(exceptions.APIException):
    """A refusal with its own problem ``kind`` and status (and extra members for the body)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This request conflicts with an earlier one.")
    default_code = "conflict"
    kind = "conflict"

    def __init__(self, detail=None, *, kind: str = "", status_code: int | None = None, **extra):
        super().__init__(detail)
        self.kind = kind or self.kind
        if status_code:
            self.status_code = status_code
        self.extra = extra


class Conflict(Problem):
    """A request that cannot be carried out as it stands (e.g. an Idempotency-Key reused)."""


class Refused(Problem):
    """A service refused the action (e.g. no points to deduct): 422 with its message."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "refused"
    kind = "refused"


_KINDS = {
    exceptions.ValidationError: "validation-error",
    exceptions.ParseError: "malformed-request",
    exceptions.NotAuthenticated: "not-authenticated",
    exceptions.AuthenticationFailed: "invalid-api-key",
    exceptions.PermissionDenied: "permission-denied",
    exceptions.NotFound: "not-found",
    exceptions.MethodNotAllowed: "method-not-allowed",
    exceptions.NotAcceptable: "not-acceptable",
    exceptions.UnsupportedMediaType: "unsupported-media-type",
    exceptions.Throttled: "rate-limited",
}


def _kind(exc: exceptions.APIException) -> str:
    if isinstance(exc, Problem):
        return exc.kind
    if isinstance(exc, InsufficientScope):
        return "insufficient-scope"
    for cls in type(exc).__mro__:
        if cls in _KINDS:
            return _KINDS[cls]
    return "error"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def problem_response(exc: exceptions.APIException, headers: dict | None = None) -> Response:
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        detail = _("The request has invalid fields: %(first)s") % {
            "first": _first_message(exc.detail)
        }
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        extra["errors"] = errors
    else:
        detail = str(exc.detail)
    if isinstance(exc, InsufficientScope):
        extra["required_scope"] = exc.scope
    if isinstance(exc, Problem):
        extra.update(exc.extra)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait + 0.999)
    body = problem_body(exc.status_code, _kind(exc), detail, **extra)
    response = Response(body, status=exc.status_code, headers=headers)
    response.content_type = CONTENT_TYPE
    return response


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER for hub.api's views (set on the views, not site-wide)."""
    if isinstance(exc, RateLimited):
        exc = exceptions.Throttled(wait=exc.retry_after, detail=exc.message)
    elif isinstance(exc, Refusal):
        # A service said no (hub.errors): its message is already fit to show. A refusal may
        # name its own problem (``status``, ``kind``, ``errors`` per field), as the shop's do.
        errors = getattr(exc, "errors", None)
        exc = Refused(
            exc.message,
            kind=getattr(exc, "kind", "") or "refused",
            status_code=getattr(exc, "status", None),
            **({"errors": errors} if errors else {}),
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # A fault, not the client's doing: logged with its traceback, answered as a problem.
        logger.exception("API request failed", exc_info=exc)
        set_rollback()
        body = problem_body(500, "server-error", _("Something went wrong on our side."))
        response = Response(body, status=500)
        response.content_type = CONTENT_TYPE
        return response
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait + 0.999))
    set_rollback()
    return problem_response(exc, headers)
