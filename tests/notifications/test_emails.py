"""Notification e-mail: one message or one digest, never the same notification twice, and a
one-click unsubscribe link that a mail scanner cannot trigger by looking at it."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail, signing
from django.db.models import F
from django.test import Client

from hub.notifications import services, tasks
from hub.notifications.emails import UNSUBSCRIBE_SALT
from hub.notifications.kinds import EMAIL, INAPP
from hub.notifications.models import Notification, NotificationPreference, PendingEmail
from hub.notifications.services import ANNOUNCEMENT, notify
from hub.notifications.tasks import send_notification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed_member(member):
    """Ana, who wants announcements by e-mail as well."""
    services.set_preferences(member, {ANNOUNCEMENT: EMAIL})
    return member


def channel_of(user, kind: str = ANNOUNCEMENT) -> str:
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return preference.channel if preference else INAPP


def unsubscribe_path(message) -> str:
    """The path of the message's List-Unsubscribe link (the same link is in its body)."""
    url = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert url in message.body
    return urlsplit(url).path


@pytest.fixture
def sent_email(emailed_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(emailed_member, ANNOUNCEMENT, text="The spring meet-up is on", url="/events/")
    [message] = mail.outbox
    return message


def test_email_preference_sends_one_email_with_one_click_unsubscribe(emailed_member, sent_email):
    assert sent_email.to == ["ana@example.com"]
    assert sent_email.subject.endswith("The spring meet-up is on")
    assert "The spring meet-up is on" in sent_email.body
    assert f"{settings.WAGTAILADMIN_BASE_URL}/events/" in sent_email.body  # absolute links
    headers = sent_email.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(sent_email).startswith("/notifications/unsubscribe/")
    assert not PendingEmail.objects.filter(sent_at__isnull=True).exists()


def test_in_app_preference_sends_no_email(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(member, ANNOUNCEMENT, text="On the site only")

    assert mail.outbox == []
    assert not PendingEmail.objects.exists()


def test_notifications_waiting_together_go_out_as_one_digest(emailed_member):
    texts = ["A new story is out", "Your idea got 10 votes", "The meet-up moved to Friday"]
    for text in texts:  # the first opened the digest window; the others joined it
        notify(emailed_member, ANNOUNCEMENT, text=text)

    assert send_notification_email.call(emailed_member.pk) == 3

    [digest] = mail.outbox
    assert digest.subject.endswith("3 new notifications")
    for text in texts:
        assert text in digest.body


def test_email_job_never_sends_the_same_notification_twice(emailed_member):
    notify(emailed_member, ANNOUNCEMENT, text="First news")
    notify(emailed_member, ANNOUNCEMENT, text="Second news")
    send_notification_email.call(emailed_member.pk)

    assert send_notification_email.call(emailed_member.pk) == 0
    assert len(mail.outbox) == 1

    notify(emailed_member, ANNOUNCEMENT, text="Third news")
    send_notification_email.call(emailed_member.pk)

    assert len(mail.outbox) == 2
    assert "Third news" in mail.outbox[1].body
    assert "First news" not in mail.outbox[1].body
    assert "Second news" not in mail.outbox[1].body


def test_unsubscribe_link_opened_by_get_only_asks(client, emailed_member, sent_email):
    response = client.get(unsubscribe_path(sent_email))

    assert response.status_code == 200
    assert "Stop e-mails about “Announcements from the team”?" in response.text
    assert channel_of(emailed_member) == EMAIL


def test_one_click_unsubscribe_post_turns_the_kind_from_email_to_in_app(
    emailed_member, sent_email, django_capture_on_commit_callbacks
):
    mail_client = Client(enforce_csrf_checks=True)  # RFC 8058: the POST carries no CSRF token

    response = mail_client.post(unsubscribe_path(sent_email), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert channel_of(emailed_member) == INAPP
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(emailed_member, ANNOUNCEMENT, text="Still on the site")
    assert mail.outbox == []
    assert Notification.objects.filter(text="Still on the site").exists()


def test_tampered_unsubscribe_token_is_a_bad_request(client, emailed_member, sent_email):
    path = unsubscribe_path(sent_email)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for bad in (tampered, "not-a-token"):
        assert client.get(f"/notifications/unsubscribe/{bad}/").status_code == 400
        assert client.post(f"/notifications/unsubscribe/{bad}/").status_code == 400
    assert channel_of(emailed_member) == EMAIL


def test_unsubscribe_token_for_an_unknown_kind_is_a_bad_request(client, emailed_member):
    token = signing.dumps({"u": emailed_member.pk, "k": "no.such.kind"}, salt=UNSUBSCRIBE_SALT)

    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 400


def age_pending(member, seconds: int) -> None:
    """As if the member's waiting e-mails had been stored ``seconds`` ago."""
    ago = timedelta(seconds=seconds)
    PendingEmail.objects.filter(recipient=member).update(
        created=F("created") - ago, due_at=F("due_at") - ago
    )


def test_waiting_email_whose_send_failed_goes_out_with_the_next_notification(
    emailed_member, monkeypatch, django_capture_on_commit_callbacks
):
    # The first send was scheduled, then lost (its task failed): the e-mail is still waiting.
    monkeypatch.setattr(tasks, "enqueue_email", lambda user_id: None)
    notify(emailed_member, ANNOUNCEMENT, text="Lost news")
    monkeypatch.undo()
    age_pending(emailed_member, settings.NOTIFICATIONS_EMAIL_DIGEST_SECONDS + 3600)

    with django_capture_on_commit_callbacks(execute=True):
        notify(emailed_member, ANNOUNCEMENT, text="Fresh news")

    [digest] = mail.outbox
    assert "Lost news" in digest.body and "Fresh news" in digest.body


def test_the_sweep_sends_overdue_emails_and_leaves_fresh_ones_to_their_digest(
    emailed_member, monkeypatch
):
    ben = UserFactory(username="ben", email="ben@example.com")
    services.set_preferences(ben, {ANNOUNCEMENT: EMAIL})
    monkeypatch.setattr(tasks, "enqueue_email", lambda user_id: None)
    notify(emailed_member, ANNOUNCEMENT, text="Overdue news")
    notify(ben, ANNOUNCEMENT, text="Fresh news")
    age_pending(emailed_member, settings.NOTIFICATIONS_EMAIL_DIGEST_SECONDS + 3600)

    assert tasks.send_overdue_emails.call() == 1

    [message] = mail.outbox
    assert message.to == [emailed_member.email] and "Overdue news" in message.body
    assert PendingEmail.objects.filter(recipient=ben, sent_at__isnull=True).exists()


def test_a_digest_carries_a_message_id_that_a_retry_would_repeat(emailed_member):
    notify(emailed_member, ANNOUNCEMENT, text="News")
    first = PendingEmail.objects.get(recipient=emailed_member)

    send_notification_email.call(emailed_member.pk)

    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == tasks.message_id(emailed_member.pk, first.pk)
