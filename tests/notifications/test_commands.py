"""manage.py notify: send one member an announcement from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hub.notifications.models import Notification
from hub.notifications.services import ANNOUNCEMENT

pytestmark = pytest.mark.django_db


def test_notify_command_sends_the_member_an_announcement(member):
    out = StringIO()

    call_command("notify", "ana", "Hello", "--url", "/stories/", stdout=out)

    notification = Notification.objects.get(recipient=member)
    assert (notification.kind, notification.text, notification.url) == (
        ANNOUNCEMENT,
        "Hello",
        "/stories/",
    )
    assert f"Sent notification #{notification.pk} to ana." in out.getvalue()


def test_notify_command_names_an_unknown_member(member):
    with pytest.raises(CommandError, match="No member is called 'nobody'."):
        call_command("notify", "nobody", "Hello")

    assert not Notification.objects.exists()


def test_notify_command_refuses_empty_text(member):
    with pytest.raises(CommandError, match="The text is empty."):
        call_command("notify", "ana", "   ")
