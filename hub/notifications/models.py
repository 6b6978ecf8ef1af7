"""What happened to a member (Notification), how they want to hear of it, and e-mail to send."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import CHANNEL_CHOICES, DIGEST, EMAIL, INAPP, OFF, get_kind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    text = models.CharField(_("text"), max_length=280)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # Ids only grow, so "newer than the last one I have" is "id greater than it".
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_latest"),
            models.Index(
                fields=["recipient", "-id"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        try:
            return str(get_kind(self.kind).label)
        except LookupError:
            return self.kind

    def as_payload(self) -> dict:
        """The JSON-safe form pushed over the socket and used by the bell's dropdown."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "text": self.text,
            "url": self.url,
            "created": self.created.isoformat(),
            "read": self.is_read,
            "actor": self.actor.public_name if self.actor_id and self.actor else None,
        }


CHANNEL_LABELS = {
    INAPP: _("On the site"),
    EMAIL: _("On the site and by e-mail"),
    DIGEST: _("On the site, and in a daily summary e-mail"),
    OFF: _("Off"),
}


class NotificationPreference(models.Model):
    CHANNEL_LABELS = CHANNEL_LABELS

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=100)
    channel = models.CharField(
        max_length=10, choices=[(c, CHANNEL_LABELS[c]) for c in CHANNEL_CHOICES]
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.channel}"


class PendingEmail(models.Model):
    """A notification waiting for the next e-mail to its recipient (several make a digest).

    ``due_at`` is when it should go: the end of the few-minute digest window for the "by e-mail"
    channel, the member's daily summary (a day after the first item still waiting for it) for
    the "daily summary" one (``daily``). Whatever e-mail goes first takes everything waiting.
    """

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="pending_email"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    # Rows from before the daily summary existed get the migration's time: due, so they go.
    due_at = models.DateTimeField(default=timezone.now)
    daily = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["recipient", "created"],
                name="pending_email_unsent",
                condition=Q(sent_at__isnull=True),
            ),
            # The worker's sweep: what is due, across members.
            models.Index(
                fields=["due_at"], name="pending_email_due", condition=Q(sent_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"e-mail for notification {self.notification_id}"


class Broadcast(models.Model):
    """An announcement an editor sent to members from the Wagtail admin."""

    text = models.CharField(_("announcement"), max_length=280)
    url = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("Where the notification leads, e.g. /stories/our-news/ (optional)."),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.text
