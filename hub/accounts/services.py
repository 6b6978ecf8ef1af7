"""Every change to a member's account: one function per intent."""

from django.conf import settings
from django.db import transaction

from hub.images import reencode
from hub.rewards.queries import member_changed
from hub.rewards.services import award

from .models import User

THUMBNAIL_SIZE = 64


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
) -> User:
    """Save the public profile. ``avatar`` must already have passed the form's validate_image()."""
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    if show_on_leaderboard is not None:
        user.show_on_leaderboard = show_on_leaderboard
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
        update_fields=["display_name", "bio", "avatar", "avatar_thumbnail", "show_on_leaderboard"]
    )
    member_changed(user)  # leaderboards show the name and avatar, and honour the opt-out
    if user.display_name and user.bio and user.avatar:
        # Once per member (the ledger is idempotent per source), however often they edit.
        award(user, "accounts.profile.completed", source=user)
    return user


def delete_account(user: User) -> None:
    """Erase the member and everything that cascades from them; files go once the rows are gone."""
    avatar_files = [f for f in (user.avatar, user.avatar_thumbnail) if f]
    with transaction.atomic():
        user.delete()
        member_changed(user)

        def remove_files():
            for f in avatar_files:
                f.storage.delete(f.name)

        transaction.on_commit(remove_files)
