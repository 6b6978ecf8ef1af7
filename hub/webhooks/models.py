"""Webhook endpoints, one delivery per (endpoint, event), and the log of every attempt."""

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

# The generation of the endpoints' subscriptions: saving or deleting an endpoint drops it (at
# once, and again after commit), and every process then reloads its snapshot (subscriptions.py).
GENERATION_KEY = "webhooks:subscriptions:generation"


def subscriptions_changed() -> None:
    cache.delete(GENERATION_KEY)
    transaction.on_commit(lambda: cache.delete(GENERATION_KEY))


class WebhookEndpoint(models.Model):
    """A URL that is sent the events it subscribes to, signed with its secret.

    The secret must be kept readable to sign with (Standard Webhooks signs with HMAC-SHA256 of
    a shared secret); it is shown to editors once, when made or rotated. After a rotation the
    previous secret signs too, beside the new one, until ``previous_secret_expires``.
    """

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("events"), default=list, blank=True)
    secret = models.CharField(max_length=80, editable=False)
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_expires = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True, editable=False)
    pause_reason = models.CharField(
        _("why it was paused"), max_length=255, blank=True, editable=False
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failed attempts in a row"), default=0, editable=False
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(
        _("last status"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.description or self.url

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        subscriptions_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        subscriptions_changed()
        return result

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookDelivery(models.Model):
    """One event for one endpoint. ``message_id`` is the ``webhook-id`` header: the same for
    every attempt and for a replay, so receivers can drop what they already processed."""

    PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
    STATE_CHOICES = [
        (PENDING, _("Waiting to be sent")),
        (SUCCEEDED, _("Delivered")),
        (FAILED, _("Failed (gave up)")),
    ]

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message_id = models.CharField(_("webhook-id"), max_length=40)
    event_type = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("payload"))
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=STATE_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender holds a delivery until then; a sender that died lets it go when it passes.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message_id"], name="webhooks_one_delivery_per_message"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), default=0)
    response_body = models.TextField(_("response (start)"), blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    manual = models.BooleanField(_("replayed by hand"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhooks_attempt_endpoint")]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
