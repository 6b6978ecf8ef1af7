"""API-key authentication: ``Authorization: Bearer ahk_…``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import services


class ApiClient:
    """Who is calling: an integration holding ``key`` (not a member; it has no session)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    pk = None

    def __init__(self, key):
        self.key = key

    def __str__(self) -> str:
        return str(self.key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None  # NotAuthenticated (401) once a permission asks
        scheme, _sep, raw = header.partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw:
            raise exceptions.AuthenticationFailed(
                _("Send the API key as “Authorization: Bearer <key>”.")
            )
        key = services.authenticate_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or was revoked."))
        services.record_use(key)
        return ApiClient(key), key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
