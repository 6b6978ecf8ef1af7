"""notify(): who gets a notification, and that the live push waits for the commit and never fails
the action that caused it."""

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from hub import realtime
from hub.notifications import services
from hub.notifications.kinds import OFF
from hub.notifications.models import Notification
from hub.notifications.services import ANNOUNCEMENT, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ben(db):
    return UserFactory(username="ben", display_name="Ben Okafor")


def texts_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("text", flat=True))


def test_notify_stores_one_notification_per_recipient(member, ben):
    created = notify([member, ben, member.pk], ANNOUNCEMENT, text="The spring meet-up is on")

    assert len(created) == 2
    assert texts_for(member) == ["The spring meet-up is on"]
    assert texts_for(ben) == ["The spring meet-up is on"]


def test_notify_skips_a_member_who_turned_the_kind_off(member, ben):
    services.set_preferences(ben, {ANNOUNCEMENT: OFF})

    notify([member, ben], ANNOUNCEMENT, text="New trail guide published")

    assert texts_for(member) == ["New trail guide published"]
    assert texts_for(ben) == []


def test_notify_never_tells_the_actor_about_their_own_action(member, ben):
    notify([member, ben], ANNOUNCEMENT, text="Ana replied to the thread", actor=member)

    assert texts_for(member) == []
    assert texts_for(ben) == ["Ana replied to the thread"]
    assert Notification.objects.get(recipient=ben).as_payload()["actor"] == "Ana Souza"


def test_notify_refuses_an_unknown_kind_and_stores_nothing(member):
    with pytest.raises(LookupError, match="not.registered.kind"):
        notify(member, "not.registered.kind", text="Hello")

    assert not Notification.objects.exists()


def test_push_is_sent_only_after_the_transaction_commits(
    member, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [created] = notify(member, ANNOUNCEMENT, text="Your badge is ready", url="/points/")
        assert pushed == []

    assert pushed == [
        (
            f"user.{member.pk}",
            {"type": "notification.created", "notification": created.as_payload()},
        )
    ]
    assert pushed[0][1]["notification"]["text"] == "Your badge is ready"


def test_rolled_back_action_stores_nothing_and_pushes_nothing(
    member, pushed, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(member, ANNOUNCEMENT, text="This never happened")
        raise RuntimeError("the action failed after notify()")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert pushed == []


async def _receive(layer, channel: str, timeout: float = 2.0) -> dict:
    return await asyncio.wait_for(layer.receive(channel), timeout)


def test_recipients_group_receives_the_notification_through_the_channel_layer(
    member, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    group = realtime.user_group(member.pk)
    async_to_sync(layer.group_add)(group, channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            [created] = notify(member, ANNOUNCEMENT, text="Straight to the open socket")

        message = async_to_sync(_receive)(layer, channel)
    finally:
        async_to_sync(layer.group_discard)(group, channel)

    assert message["type"] == "notification.created"
    assert message["notification"]["id"] == created.pk
    assert message["notification"]["text"] == "Straight to the open socket"


class BrokenLayer:
    """A channel layer whose server is down."""

    async def group_send(self, group, message):
        raise ConnectionError("redis is down")


def test_broken_channel_layer_neither_loses_the_notification_nor_fails_the_action(
    member, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(realtime, "get_channel_layer", lambda *args, **kwargs: BrokenLayer())

    def rename_and_notify():  # an action of the caller's, which notifies as its last step
        with transaction.atomic():
            member.display_name = "Ana S."
            member.save(update_fields=["display_name"])
            notify(member, ANNOUNCEMENT, text="Your profile was updated")
        return "saved"

    with (
        caplog.at_level(logging.WARNING, logger="hub.realtime"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = rename_and_notify()

    assert outcome == "saved"
    member.refresh_from_db()
    assert member.display_name == "Ana S."
    assert texts_for(member) == ["Your profile was updated"]
    assert "not sent" in caplog.text
