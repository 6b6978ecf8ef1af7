"""The OpenAPI description: API-key authentication, the scope of each operation, and the
problem-details answers every operation may give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "hub.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ahk_<prefix>_<secret>",
            "description": "An API key created in the Wagtail admin (Settings › API keys).",
        }


class ProblemSerializer(serializers.Serializer):
    """Problem details (RFC 9457)."""

    type = serializers.CharField(
        help_text="A URI naming the kind of error, e.g. /problems/not-found"
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, help_text="Invalid fields (400 only).")
    required_scope = serializers.CharField(required=False, help_text="403 only.")
    retry_after = serializers.IntegerField(required=False, help_text="429 only, in seconds.")


ERRORS = {
    "400": "The request has invalid fields.",
    "401": "No API key, or one that is not valid or was revoked.",
    "403": "The API key lacks the scope this operation needs.",
    "404": "Not found.",
    "429": "Too many requests for this key this minute; see Retry-After.",
}


class ApiAutoSchema(AutoSchema):
    """Adds the scope to each operation's description and its problem-details answers."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        scope = _scope_of(self.view)
        if operation is not None and scope:
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\nRequires the scope `{scope}`.".strip()
            operation["x-required-scope"] = scope
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not _scope_of(self.view):
            return responses
        for code, text in ERRORS.items():
            if code in responses or (
                code == "400" and self.method == "GET" and not self._is_list_view()
            ):
                continue
            body = self._get_response_for_code(
                ProblemSerializer, code, media_types=["application/problem+json"]
            )
            body["description"] = text
            responses[code] = body
        return responses


def _scope_of(view) -> str | None:
    action = getattr(view, "action", None)
    scopes = getattr(view, "scopes", None) or {}
    return scopes.get(action) or getattr(view, "scope", None)


def only_api(endpoints):
    """PREPROCESSING_HOOK: describe /api/v1/ only (not Wagtail's own admin API)."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
