"""The daily summary channel: on the site at once, by e-mail once a day with everything waiting,
never twice, without what the member already read, and in the member's language."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.utils import timezone

from hub.notifications import services, tasks
from hub.notifications.kinds import DIGEST, EMAIL, all_kinds
from hub.notifications.models import Notification, NotificationPreference, PendingEmail
from hub.notifications.services import ANNOUNCEMENT, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BADGE = "rewards.badge.awarded"


@pytest.fixture
def summary_member(member):
    """Ana, who wants announcements in her daily summary only."""
    services.set_preferences(member, {ANNOUNCEMENT: DIGEST})
    return member


def later(seconds: int) -> None:
    """As if ``seconds`` had passed for everything waiting to be e-mailed."""
    ago = timedelta(seconds=seconds)
    PendingEmail.objects.update(created=F("created") - ago, due_at=F("due_at") - ago)


DAY = settings.NOTIFICATIONS_DAILY_DIGEST_SECONDS


def test_a_summary_kind_is_on_the_site_at_once_but_not_e_mailed_within_minutes(
    summary_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(summary_member, ANNOUNCEMENT, text="The spring meet-up is on")
    later(settings.NOTIFICATIONS_EMAIL_DIGEST_SECONDS + 3600)

    assert tasks.send_overdue_emails.call() == 0

    assert mail.outbox == []
    assert Notification.objects.filter(recipient=summary_member).unread().count() == 1


def test_the_daily_summary_goes_once_with_everything_waiting(summary_member):
    notify(summary_member, ANNOUNCEMENT, text="The spring meet-up is on")
    later(3 * 3600)
    notify(summary_member, ANNOUNCEMENT, text="A new story is out")
    later(DAY - 3 * 3600)  # a day after the first: the second waits for the same summary

    assert tasks.send_overdue_emails.call() == 1
    assert tasks.send_overdue_emails.call() == 0

    [summary] = mail.outbox
    assert summary.subject.endswith("Your daily summary: 2 notifications")
    assert "The spring meet-up is on" in summary.body and "A new story is out" in summary.body
    assert not PendingEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_summary_item_read_on_the_site_is_left_out(summary_member):
    [seen] = notify(summary_member, ANNOUNCEMENT, text="Already seen")
    notify(summary_member, ANNOUNCEMENT, text="Not seen yet")
    services.mark_read(summary_member, [seen.pk])
    later(DAY)

    tasks.send_overdue_emails.call()

    [summary] = mail.outbox
    assert "Not seen yet" in summary.body and "Already seen" not in summary.body
    assert not PendingEmail.objects.filter(notification=seen).exists()


def test_no_summary_goes_when_the_member_read_everything(summary_member):
    notify(summary_member, ANNOUNCEMENT, text="Already seen")
    services.mark_all_read(summary_member)
    later(DAY)

    assert tasks.send_overdue_emails.call() == 0

    assert mail.outbox == []
    assert not PendingEmail.objects.exists()


def test_an_immediate_e_mail_takes_the_waiting_summary_items_along(
    summary_member, django_capture_on_commit_callbacks
):
    services.set_preferences(summary_member, {BADGE: EMAIL})
    notify(summary_member, ANNOUNCEMENT, text="A new story is out")
    with django_capture_on_commit_callbacks(execute=True):
        notify(summary_member, BADGE, text="You earned the Trailblazer badge")

    [message] = mail.outbox
    assert "A new story is out" in message.body and "Trailblazer" in message.body
    assert "daily summary" not in message.subject
    later(DAY)
    assert tasks.send_overdue_emails.call() == 0
    assert len(mail.outbox) == 1


def test_the_daily_summary_is_in_the_members_language(summary_member):
    summary_member.language = "fr"
    summary_member.save(update_fields=["language"])
    notify(summary_member, ANNOUNCEMENT, text="Nouvelle")
    later(DAY)

    tasks.send_overdue_emails.call()

    [summary] = mail.outbox
    assert summary.extra_headers["Content-Language"] == "fr"
    assert "résumé quotidien" in summary.subject


def test_unsubscribing_stops_the_summary_too(summary_member):
    notify(summary_member, ANNOUNCEMENT, text="News")

    services.unsubscribe(summary_member, ANNOUNCEMENT)

    later(DAY)
    tasks.send_overdue_emails.call()
    assert mail.outbox == []
    assert NotificationPreference.objects.get(user=summary_member).channel == "inapp"


def test_choosing_daily_summary_only_for_an_area_without_javascript(
    member_client, member, django_assert_max_num_queries
):
    page = member_client.get("/notifications/preferences/")
    assert "Daily summary only" in page.text
    assert "On the site, and in a daily summary e-mail" in page.text
    posted = {}
    for kind in all_kinds():
        posted[kind.code] = kind.default_channel
    posted["area-events"] = DIGEST

    with django_assert_max_num_queries(12):
        response = member_client.post("/notifications/preferences/", posted)

    assert response.status_code == 302
    events = [k.code for k in all_kinds() if k.code.startswith("events.")]
    stored = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "channel"))
    assert events and all(stored[code] == DIGEST for code in events)
    page = member_client.get("/notifications/preferences/").text
    assert f'name="area-events" value="{DIGEST}"' in page


def test_the_preferences_page_costs_a_bounded_number_of_queries(
    member_client, django_assert_max_num_queries
):
    member_client.get("/notifications/preferences/")
    with django_assert_max_num_queries(12):
        assert member_client.get("/notifications/preferences/").status_code == 200


def test_the_summary_is_due_a_day_after_its_first_item(summary_member):
    notify(summary_member, ANNOUNCEMENT, text="First")
    later(3600)
    notify(summary_member, ANNOUNCEMENT, text="Second")

    dues = set(PendingEmail.objects.values_list("due_at", flat=True))
    assert len(dues) == 1
    assert dues.pop() - timezone.now() == pytest.approx(
        timedelta(seconds=DAY - 3600), abs=timedelta(seconds=60)
    )


def test_a_summary_whose_send_failed_goes_with_the_next_sweep_once(summary_member, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    ben = UserFactory(username="ben", email="ben@example.com")
    services.set_preferences(ben, {ANNOUNCEMENT: DIGEST})
    notify([summary_member, ben], ANNOUNCEMENT, text="Trail day on Saturday")
    later(DAY)
    real_send = EmailMultiAlternatives.send

    def refused_for_ana(self, *args, **kwargs):
        if self.to == [summary_member.email]:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", refused_for_ana)
    assert tasks.send_overdue_emails.call() == 1  # Ben's goes; Ana's rolls back and waits
    monkeypatch.undo()
    assert PendingEmail.objects.filter(recipient=summary_member, sent_at__isnull=True).exists()

    assert tasks.send_overdue_emails.call() == 1
    assert tasks.send_overdue_emails.call() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ben.email, summary_member.email])
    assert all("Trail day on Saturday" in m.body for m in mail.outbox)
