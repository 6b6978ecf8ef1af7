"""A notification and its e-mail reach each member in their own language, whoever caused it and
whichever process sends it; links keep the recipient's language."""

import pytest
from django.core import mail
from django.utils import translation

from community import services as community
from hub.notifications import services
from hub.notifications.kinds import EMAIL
from hub.notifications.models import Notification
from hub.notifications.services import ANNOUNCEMENT, notify
from hub.notifications.tasks import send_notification_email
from tests.community.factories import make_category, make_topic
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEBREW_REPLY = "הגיב/ה לפוסט שלך"


@pytest.fixture
def dana():
    """A Hebrew-speaking member who wants replies by e-mail."""
    member = UserFactory(username="dana", display_name="Dana", language="he")
    services.set_preferences(member, {community.KIND_REPLY: EMAIL})
    return member


@pytest.fixture
def ben():
    return UserFactory(username="ben", display_name="Ben", language="en")


@pytest.fixture
def topic(dana):
    return make_topic(make_category(), dana, title="Ridge jacket?")


def test_a_reply_by_an_english_speaker_reaches_a_hebrew_speaker_in_hebrew(
    dana, ben, topic, django_capture_on_commit_callbacks
):
    first = topic.posts.get(number=1)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        community.create_reply(by=ben, topic=topic, body="Try the Ridge.", reply_to=first)

    notification = Notification.objects.get(recipient=dana, kind=community.KIND_REPLY)
    assert HEBREW_REPLY in notification.text
    assert "replied" not in notification.text
    assert not notification.url.startswith("/he/")  # stored without a language: theirs is added

    [message] = mail.outbox
    assert HEBREW_REPLY in message.subject
    assert "שלום" in message.body  # "Hi …," in Hebrew
    assert message.extra_headers["Content-Language"] == "he"
    html = message.alternatives[0][0]
    assert '<html lang="he" dir="rtl">' in html
    # Links keep the recipient's language.
    assert f"/he{topic.get_absolute_url()}" in message.body or "/he/community/" in message.body
    assert "/he/notifications/unsubscribe/" in message.body


def test_the_background_worker_writes_the_email_in_the_recipients_language(
    dana, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=False):
        notify(dana, community.KIND_REPLY, text=lambda: translation.gettext("Mark read"), url="/")
    assert mail.outbox == []

    # The worker process: another thread, whatever language it happens to have active.
    with translation.override("fr"):
        assert send_notification_email.call(dana.pk) == 1

    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "he"
    assert "שלום" in message.body
    with translation.override("he"):
        assert translation.gettext("Mark read") in message.subject


def test_one_announcement_reaches_each_member_in_their_own_language(
    dana, ben, django_capture_on_commit_callbacks
):
    fr = UserFactory(username="chloe", language="fr")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify([dana, ben, fr], ANNOUNCEMENT, text=lambda: translation.gettext("Notifications"))

    texts = dict(Notification.objects.values_list("recipient__username", "text"))
    for username, language in (("dana", "he"), ("ben", "en"), ("chloe", "fr")):
        with translation.override(language):
            assert texts[username] == translation.gettext("Notifications")
    assert texts["dana"] != texts["ben"]


def test_an_editors_announcement_text_is_stored_as_written(dana):
    notify(dana, ANNOUNCEMENT, text="Trail day on Saturday", url="/he/events/")

    notification = Notification.objects.get(recipient=dana)
    assert notification.text == "Trail day on Saturday"
    assert notification.url == "/events/"


def test_the_live_push_is_in_the_recipients_language(
    dana, pushed, django_capture_on_commit_callbacks
):
    from hub.notifications.kinds import get_kind

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(dana, community.KIND_REPLY, text=lambda: translation.gettext("Mark read"))

    [(_group, message)] = pushed
    with translation.override("he"):
        assert message["notification"]["kind_label"] == str(get_kind(community.KIND_REPLY).label)
        assert message["notification"]["text"] == translation.gettext("Mark read")
    assert message["notification"]["kind_label"] != "Replies to your forum posts"
