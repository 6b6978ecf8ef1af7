"""Site-wide request guards and response headers.

``RequestGuardMiddleware`` turns away, before any view runs, what no view could answer sensibly:
a request body larger than ``MAX_REQUEST_BYTES`` (413, judged on its Content-Length, so an
oversized upload is refused before it is read) and a NUL byte in the path or a query or form
value (400: PostgreSQL cannot store one, and no search or id contains one).

Under ``/admin/`` it also answers 400, not 500, when one of Wagtail's own views fails on malformed
input (an id in the address that is not a number, a tampered signed value, a ``next=`` that is a
plain word, a filter its search backend cannot apply): only when the error is raised inside the
libraries' code, never the project's own, and it is still logged with its traceback, so a real
bug stays visible. The site's own views are fixed one by one instead, and
the fuzz test (tests/test_fuzz.py) holds them to it.

``ContentSecurityPolicyMiddleware`` sets the Content-Security-Policy: scripts only from the site's
own files (no inline script, no ``on…=`` attribute, no eval). The Wagtail admin relies on inline
scripts in places, so under ``/admin/`` the enforced policy also allows inline scripts while the
strict one is sent as ``Content-Security-Policy-Report-Only`` (the browser reports what it would
block, and blocks nothing).
"""

import logging
import sysconfig
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import BadRequest, FieldError, ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from modelsearch.backends.base import FieldError as SearchFieldError
from modelsearch.backends.base import FilterError as SearchFilterError

logger = logging.getLogger(__name__)


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def error_page(request, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "400.html", {"error_title": title, "error_message": message}, request=request
    )
    return HttpResponse(body, status=status)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.MAX_REQUEST_BYTES:
            return error_page(
                request,
                413,
                _("That is too large to send"),
                _("What you sent is larger than this site accepts. Choose a smaller file."),
            )
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            raise BadRequest("NUL byte in the address")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After the CSRF check: a POST body is parsed by then (CsrfViewMiddleware reads it), and
        # a view that sets its own upload handlers has not been reached yet either way.
        if (
            request.method == "POST"
            and hasattr(request, "_post")
            and _has_nul(v for _name, values in request.POST.lists() for v in values)
        ):
            raise BadRequest("NUL byte in a form value")
        return None


# What Wagtail's admin views raise on input they did not expect (seen by the fuzz test).
ADMIN_INPUT_ERRORS = (
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    TypeError,
    ValueError,
    ValidationError,
    FieldError,  # Django's "cannot resolve keyword" from an unexpected filter or ordering
    SearchFieldError,  # the search backend's "cannot filter by" (the image chooser's tag + query)
    SearchFilterError,
    NoReverseMatch,  # redirect(next) with a plain word (the admin's login and logout)
    signing.BadSignature,
)
LIBRARIES = Path(sysconfig.get_paths()["purelib"]).resolve()


def _raised_in_a_library(exception: BaseException) -> bool:
    """Whether the innermost frame of ``exception`` is installed code, not the project's."""
    traceback = exception.__traceback__
    if traceback is None:
        return False
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return Path(traceback.tb_frame.f_code.co_filename).resolve().is_relative_to(LIBRARIES)


class AdminBadInputMiddleware:
    prefix = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (
            request.path.startswith(self.prefix)
            and isinstance(exception, ADMIN_INPUT_ERRORS)
            and _raised_in_a_library(exception)
        ):
            logger.warning("admin: bad input to %s answered 400", request.path, exc_info=exception)
            return error_page(
                request,
                400,
                _("We could not understand that request"),
                _("Something in the address or the form was not what this page expects."),
            )
        return None


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


SITE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Inline style attributes carry per-row values (a tier's colour, a bar's length); CSS cannot
    # run script, so style stays open to them.
    "style-src": "'self' 'unsafe-inline'",
    # Members' Markdown may show pictures from other https sites.
    "img-src": "'self' data: blob: https:",
    "font-src": "'self' data:",
    # 'self' covers the site's own WebSocket origin (ws:/wss:) in CSP Level 3 browsers.
    "connect-src": "'self'",
    "frame-src": "'self' https:",
    "media-src": "'self' https:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
ADMIN_POLICY = {**SITE_POLICY, "script-src": "'self' 'unsafe-inline'"}


class ContentSecurityPolicyMiddleware:
    header = "Content-Security-Policy"

    def __init__(self, get_response):
        self.get_response = get_response
        self.site = _policy(SITE_POLICY)
        self.admin = _policy(ADMIN_POLICY)
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if self.header in response:  # a view that set its own
            return response
        if request.path.startswith(self.admin_prefix):
            response[self.header] = self.admin
            response[f"{self.header}-Report-Only"] = self.site
        else:
            response[self.header] = self.site
        return response
