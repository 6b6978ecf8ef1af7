"""Announcements in the Wagtail admin: Editors broadcast to every active member; nobody else can."""

import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from hub.notifications.models import Broadcast, Notification
from hub.notifications.services import ANNOUNCEMENT
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

NEW_URL = "/admin/announcements/new/"
LIST_URL = "/admin/announcements/"
TEXT = "The Ridge 2 pre-order opens on Monday"


@pytest.fixture
def editor(db):
    return make_editor(can_publish=False)  # in Editors only


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client):
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    return client


@pytest.fixture
def members(member):
    """Ana and Ben, who are active, and Cleo, whose account is closed."""
    return [member, UserFactory(username="ben"), UserFactory(username="cleo", is_active=False)]


def send(client, django_capture_on_commit_callbacks, text=TEXT, url="/stories/ridge-2/"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(NEW_URL, {"text": text, "url": url})


def listing_rows(html: str) -> list[list[str]]:
    """The text of each cell of each row of the admin listing table."""
    body = re.search(r'<table class="listing">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def sent_to_admin_login(response) -> bool:
    """Wagtail's answer to a signed-in user without admin access."""
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def refused(response) -> bool:
    """Wagtail's answer to an admin user without the permission: a redirect to the dashboard,
    which shows "Sorry, you do not have permission to access this area."."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_editor_opens_the_announcement_form(editor_client):
    response = editor_client.get(NEW_URL)

    assert response.status_code == 200
    assert "Send to all members" in response.text
    assert "Announcement" in response.text


def test_editor_broadcast_notifies_every_active_member(
    editor_client, editor, members, django_capture_on_commit_callbacks
):
    response = send(editor_client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    notified = Notification.objects.filter(kind=ANNOUNCEMENT, text=TEXT, url="/stories/ridge-2/")
    assert sorted(notified.values_list("recipient__username", flat=True)) == [
        "ana",
        "ben",
        "editor",
    ]


def test_sent_announcement_shows_its_recipient_count(
    editor_client, members, django_capture_on_commit_callbacks
):
    send(editor_client, django_capture_on_commit_callbacks)

    broadcast = Broadcast.objects.get()
    assert broadcast.recipient_count == 3  # Ana, Ben and the editor; not Cleo
    [row] = listing_rows(editor_client.get(LIST_URL).text)
    assert row[0].startswith(TEXT)
    assert row[1:3] == ["editor", "3"]  # sent by, recipients


def test_sent_announcement_is_in_wagtails_history(
    editor_client, editor, members, django_capture_on_commit_callbacks
):
    send(editor_client, django_capture_on_commit_callbacks)

    broadcast = Broadcast.objects.get()
    [entry] = ModelLogEntry.objects.for_instance(broadcast)
    assert (entry.action, entry.user) == ("wagtail.create", editor)
    assert broadcast.sent_by == editor
    history = editor_client.get(f"{LIST_URL}history/{broadcast.pk}/")
    assert history.status_code == 200
    assert "Created" in history.text


def test_confirmation_does_not_offer_to_edit_a_sent_announcement(
    editor_client, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(NEW_URL, {"text": TEXT, "url": ""}, follow=True)

    assert f"Announcement sent: “{TEXT}”." in response.text
    assert "/admin/announcements/edit/" not in response.text


def test_plain_member_is_kept_out_of_the_announcements(
    member_client, members, django_capture_on_commit_callbacks
):
    assert sent_to_admin_login(member_client.get(NEW_URL))
    assert sent_to_admin_login(member_client.get(LIST_URL))

    response = send(member_client, django_capture_on_commit_callbacks)

    assert sent_to_admin_login(response)
    assert not Broadcast.objects.exists()
    assert not Notification.objects.exists()


def test_moderator_cannot_broadcast(moderator_client, members, django_capture_on_commit_callbacks):
    assert refused(moderator_client.get(NEW_URL))

    response = send(moderator_client, django_capture_on_commit_callbacks)

    assert refused(response)
    assert not Broadcast.objects.exists()
    assert not Notification.objects.exists()
