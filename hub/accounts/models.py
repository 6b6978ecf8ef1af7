"""The member: Django's user with the public profile a community shows (display name, bio, avatar)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def avatar_upload_to(instance: "User", filename: str) -> str:
    # The file name is ours, never the uploader's: no path tricks, no clashes across users.
    return f"avatars/{instance.pk or 'new'}/{filename}"


# What decides whether a member is listed on the leaderboards (hub.rewards copies it onto their
# scores, see LeaderboardScore.ranked).
LEADERBOARD_FIELDS = ("is_active", "is_staff", "show_on_leaderboard")


class User(AbstractUser):
    display_name = models.CharField(
        _("display name"),
        max_length=60,
        blank=True,
        help_text=_("How your name appears to other members. Leave empty to use your username."),
    )
    bio = models.TextField(_("about you"), max_length=600, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    avatar_thumbnail = models.ImageField(upload_to=avatar_upload_to, blank=True, editable=False)
    show_on_leaderboard = models.BooleanField(
        _("show me on the leaderboard"),
        default=True,
        help_text=_("Untick to keep your points private: you still earn them and keep your tier."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The site, your notifications and your e-mails are in this language."),
    )
    referral_code = models.CharField(
        max_length=16, unique=True, null=True, blank=True, editable=False
    )
    # When the member closed the new-member welcome (complete your profile, say hello, how
    # points work); empty while it is still shown.
    welcome_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The welcome's other two steps, recorded once when first done (a forum topic, reply or
    # story comment; a visit to "How to earn points"): with all three done it goes by itself.
    said_hello_at = models.DateTimeField(null=True, blank=True, editable=False)
    saw_how_to_earn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # Looking a member up by e-mail whatever its case (the REST API, shop orders) is an
        # index scan: Django's iexact compares UPPER(email).
        indexes = [models.Index(Upper("email"), name="accounts_user_email_upper")]

    def __str__(self) -> str:
        return self.public_name

    # Members who joined before the welcome existed, or long ago, are not greeted as new.
    WELCOME_DAYS = 30

    @property
    def needs_welcome(self) -> bool:
        if self.welcome_dismissed_at is not None or not self.date_joined:
            return False
        if self.welcome_steps_done:
            return False
        return timezone.now() - self.date_joined < datetime.timedelta(days=self.WELCOME_DAYS)

    @property
    def welcome_steps_done(self) -> bool:
        """Every step the welcome shows is done (saying hello only where there is a forum)."""
        from hub.navigation import has_section

        said_hello = self.said_hello_at is not None or not has_section("community")
        return self.profile_is_complete and said_hello and self.saw_how_to_earn_at is not None

    @property
    def profile_is_complete(self) -> bool:
        """What the welcome's first step asks: a few words about yourself or a picture."""
        return bool(self.bio.strip() or self.avatar)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_standing = instance._leaderboard_standing()
        return instance

    def _leaderboard_standing(self) -> tuple:
        # Only what is loaded: reading a deferred field here would cost a query per member.
        return tuple(self.__dict__.get(name) for name in LEADERBOARD_FIELDS)

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        standing = self._leaderboard_standing()
        if not adding and standing != getattr(self, "_saved_standing", None):
            # Here rather than in each form and service, so the Wagtail user admin, the shell
            # and any later code keep the leaderboards right too (bulk actions: wagtail_hooks).
            from hub.rewards.services import sync_leaderboard_standing

            sync_leaderboard_standing([self.pk])
        self._saved_standing = standing

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)  # their scores go with them (CASCADE)
        from hub.rewards.queries import member_changed

        member_changed(self)
        return result

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def initials(self) -> str:
        parts = [p for p in self.public_name.replace("_", " ").split() if p]
        letters = "".join(p[0] for p in parts[:2]) or self.username[:1]
        return letters.upper()

    @property
    def avatar_hue(self) -> int:
        """A stable colour for the initials avatar, spread around the colour wheel."""
        return ((self.pk or 0) * 47) % 360

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
