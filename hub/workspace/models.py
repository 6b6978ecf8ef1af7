"""What the workspace stores: one row per member per active day, and every decision taken from
the moderation queue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberActivity(models.Model):
    """A member was active on the site on ``day`` (visited while signed in, or contributed).

    "Active" in every KPI means "has a row for that day": written at most once per member and day
    (the unique constraint decides; the activity middleware asks the cache first, so most requests
    cost no query). Staff are recorded too and left out when the figures are computed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="activity_days",
    )
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("member activity")
        verbose_name_plural = _("member activity")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="activity_once_per_member_day")
        ]
        indexes = [models.Index(fields=["day", "user"], name="activity_day_user")]
        permissions = [
            ("view_dashboard", _("Can see the KPI dashboard and reports")),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class ModerationDecision(models.Model):
    """One action taken from the moderation queue: who, when, on what, and why. Each is also in
    Wagtail's history (action ``workspace.moderation.decided``)."""

    source = models.CharField(_("source"), max_length=100)
    source_label = models.CharField(_("queue"), max_length=100)
    object_pk = models.CharField(_("item"), max_length=64)
    title = models.CharField(_("title"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=40)
    action_label = models.CharField(_("decision"), max_length=100)
    destructive = models.BooleanField(_("destructive"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    message = models.CharField(_("result"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation log")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["author", "destructive"], name="decision_author")]
        permissions = [
            ("access_moderation_queue", _("Can use the moderation queue")),
        ]

    def __str__(self) -> str:
        return f"{self.action_label}: {self.title or self.object_pk}"
