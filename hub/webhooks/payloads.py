"""Pieces of webhook payloads that several event types share, so they look the same everywhere."""


def member(user) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "username": user.username,
        "display_name": user.public_name,
    }


def tier(tier) -> dict | None:
    return {"name": tier.name, "threshold": tier.threshold} if tier is not None else None


def absolute(path: str) -> str:
    """A site path as a full URL (the receiver is elsewhere): BASE_URL + path."""
    from django.conf import settings

    if not path or "://" in path:
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
