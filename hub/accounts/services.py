"""Every change to a member's account: one function per intent."""

import django_comments
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hub.images import reencode
from hub.notifications.models import Notification
from hub.notifications.services import bells_changed
from hub.ratelimit import Limit, check_rate
from hub.rewards.queries import member_changed
from hub.rewards.services import award

from .models import User

THUMBNAIL_SIZE = 64
AVATAR_LIMIT = Limit("accounts.avatar", per_hour=10, per_day=30, kind="action")


def dismiss_welcome(*, by: User) -> None:
    """The new member closed the welcome: it stays closed on every device."""
    if by.welcome_dismissed_at is None:
        by.welcome_dismissed_at = timezone.now()
        by.save(update_fields=["welcome_dismissed_at"])


def record_said_hello(*, by: User) -> None:
    """The member posted for the first time (a topic, a reply, a comment): a welcome step."""
    _record_step(by, "said_hello_at")


def _record_step(user: User, field: str) -> None:
    # Once: later posts cost no query (the signed-in user row already says so).
    if getattr(user, field) is None:
        now = timezone.now()
        User.objects.filter(pk=user.pk, **{f"{field}__isnull": True}).update(**{field: now})
        setattr(user, field, now)


def _delete_avatar_files(user: User) -> None:
    for field in (user.avatar, user.avatar_thumbnail):
        if field:
            field.delete(save=False)


def update_profile(
    user: User,
    *,
    display_name: str,
    bio: str,
    avatar=None,
    remove_avatar: bool = False,
    show_on_leaderboard: bool | None = None,
    language: str | None = None,
) -> User:
    """Save the public profile. ``avatar`` must already have passed the form's validate_image().
    Avatar changes are rate-limited (each is a decode and re-encode): RateLimited otherwise."""
    if avatar is not None:
        check_rate(user, AVATAR_LIMIT)
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    if show_on_leaderboard is not None:
        user.show_on_leaderboard = show_on_leaderboard
    if language is not None and language in dict(settings.LANGUAGES):
        user.language = language
    if avatar is not None or remove_avatar:
        _delete_avatar_files(user)
    if avatar is not None:
        for field, side in (
            (user.avatar, settings.AVATAR_SIZE),
            (user.avatar_thumbnail, THUMBNAIL_SIZE),
        ):
            stored = reencode(avatar, square=side)
            field.save(stored.content.name, stored.content, save=False)
    elif remove_avatar:
        user.avatar = ""
        user.avatar_thumbnail = ""
    user.save(
        update_fields=[
            "display_name",
            "bio",
            "avatar",
            "avatar_thumbnail",
            "show_on_leaderboard",
            "language",
        ]
    )
    member_changed(user)  # leaderboards show the name and avatar, and honour the opt-out
    if user.display_name and user.bio and user.avatar:
        # Once per member (the ledger is idempotent per source), however often they edit.
        award(user, "accounts.profile.completed", source=user)
    return user


def set_language(user: User, language: str) -> bool:
    """Remember the member's language (the footer's menu, sign-up); False when it is not one of
    the site's languages. Their pages, notifications and e-mails follow it from now on."""
    if language not in dict(settings.LANGUAGES):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True


def _anonymise_copies(user: User) -> None:
    """What keeps a copy of the member's name or address outside their own rows: the comments
    framework stores the commenter's name and e-mail on each story comment (the comment stays,
    signed "a former member"), and other members' notifications name who acted."""
    comments = django_comments.get_model()
    comments.objects.filter(user=user).update(
        user_name=gettext("A former member"), user_email="", user_url="", ip_address=None
    )
    # Notification texts start with the actor's public name ("Ana replied to your post…").
    names = sorted({user.public_name, user.username} - {""}, key=len, reverse=True)
    former = gettext("A former member")
    changed = []
    for notification in Notification.objects.filter(actor=user).only("pk", "recipient_id", "text"):
        for name in names:
            if notification.text.startswith(name):
                notification.text = (former + notification.text[len(name) :])[:280]
                changed.append(notification)
                break
    Notification.objects.bulk_update(changed, ["text"], batch_size=500)
    bells_changed({n.recipient_id for n in changed})


def _composer_uploads(pk: int) -> list[str]:
    folder = f"composer/{pk}"
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return []
    return [f"{folder}/{name}" for name in files]


def delete_account(user: User) -> None:
    """Erase the member and everything that cascades from them, and anonymise the copies of their
    name and e-mail kept elsewhere; files go once the rows are gone."""
    avatar_files = [f for f in (user.avatar, user.avatar_thumbnail) if f]
    uploads = _composer_uploads(user.pk)
    with transaction.atomic():
        _anonymise_copies(user)
        user.delete()
        member_changed(user)

        def remove_files():
            for f in avatar_files:
                f.storage.delete(f.name)
            for name in uploads:  # pictures they put in their posts (hub.composer)
                default_storage.delete(name)

        transaction.on_commit(remove_files)
