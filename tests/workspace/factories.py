"""Building blocks for workspace tests: members who joined and were active on given days."""

from datetime import date, datetime, time

from django.utils import timezone

from hub.workspace.models import MemberActivity
from tests.factories import UserFactory


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def member_joined(username: str, joined: date, *, active: tuple[date, ...] = (), **fields):
    """A member who joined on ``joined`` and was active on each day of ``active``."""
    user = UserFactory(username=username, **fields)
    type(user).objects.filter(pk=user.pk).update(date_joined=at(joined))
    user.refresh_from_db()
    MemberActivity.objects.bulk_create([MemberActivity(user=user, day=day) for day in active])
    return user
