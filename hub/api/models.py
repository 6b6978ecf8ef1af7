"""API keys (stored hashed, scoped, revocable) and the remembered answers to idempotent requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_rate() -> int:
    return settings.API_DEFAULT_RATE_PER_MINUTE


class ApiKey(models.Model):
    """A key an integration sends as ``Authorization: Bearer <key>``.

    Only ``prefix`` (the readable start of the key, which finds the row) and a SHA-256 digest of
    the whole key are stored: the secret is shown once, when the key is created. Keys are 256-bit
    random strings, so a fast digest is as safe as a password hash and costs nothing per request.
    """

    name = models.CharField(
        _("name"), max_length=80, help_text=_("Who uses this key, e.g. “Shop order sync”.")
    )
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=default_rate,
        help_text=_("Requests beyond this in a minute are refused with 429 until the next minute."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The answer given to a request carrying an ``Idempotency-Key``, to give it again.

    Written in the same transaction as what the request changed, so a request either did its
    work and left this record, or did nothing and left none. ``status`` is 0 while the first
    request is still running.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key}"
