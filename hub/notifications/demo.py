"""Demo notifications: each member finds a few announcements waiting, one already read."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from hub.demo import register_seeder

from .models import Notification
from .services import ANNOUNCEMENT, notify

MESSAGES = [
    ("Welcome to the Trailmark community! Say hello and tell us where you hike.", "/", True),
    (
        "New story: How our community shaped the Ridge 2 backpack",
        "/stories/how-our-community-shaped-the-ridge-2-backpack/",
        False,
    ),
    (
        "The Trailmark Advocates programme is here: earn points for helping others.",
        "/stories/announcing-the-trailmark-advocates-programme/",
        False,
    ),
]


def seed_notifications(log) -> None:
    members = get_user_model().objects.filter(username__in=["ana", "ben", "chen", "dara", "editor"])
    for member in members:
        if Notification.objects.filter(recipient=member).exists():
            continue
        for text, url, read in MESSAGES:
            created = notify(member, ANNOUNCEMENT, text=text, url=url)
            if read and created:
                Notification.objects.filter(pk=created[0].pk).update(read_at=timezone.now())
        log(f"notifications for {member.username}")


# What `manage.py seed_demo` runs of this app (this module is imported only by seed_demo and
# the bench).
register_seeder("notifications", seed_notifications, order=90)
