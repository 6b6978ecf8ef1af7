"""Read paths for notifications: the bell, the list page, catch-up after a reconnect."""

from django.contrib.contenttypes.models import ContentType

from .models import Notification

BELL_SIZE = 6
CATCH_UP_PAGE = 100  # notifications per catch-up message


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


def latest_for_bell(user, limit: int = BELL_SIZE) -> list[Notification]:
    return list(Notification.objects.for_user(user).select_related("actor")[:limit])


def notifications_page_queryset(user, *, unread_only: bool = False):
    qs = Notification.objects.for_user(user).select_related("actor")
    return qs.unread() if unread_only else qs


def newer_than(user_id: int, last_id: int, limit: int = CATCH_UP_PAGE) -> list[Notification]:
    """One page of catch-up: the oldest ``limit`` notifications after ``last_id``, oldest first.

    A reconnecting socket pages through everything it missed by calling this again with the
    last id of the page before (hub/notifications/consumers.py), so no notification is skipped,
    however many there were, and none comes twice. The (recipient, -id) index serves the range.
    """
    return list(
        Notification.objects.filter(recipient_id=user_id, pk__gt=last_id)
        .select_related("actor")
        .order_by("pk")[:limit]
    )


def already_told(user_ids, kind: str, target) -> set[int]:
    """Which of ``user_ids`` already have a ``kind`` notification about ``target``: e.g. a
    mention is told once, however often the text is edited or re-approved."""
    return set(
        Notification.objects.filter(
            recipient_id__in=list(user_ids),
            kind=kind,
            target_type=ContentType.objects.get_for_model(target),
            target_id=str(target.pk),
        ).values_list("recipient_id", flat=True)
    )
