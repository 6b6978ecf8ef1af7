"""Calendars (.ics, the personal feed), publishing changes, reminders and the feedback prompt."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events import services, tasks
from events.models import RSVP, Delivery, EventPage
from hub.notifications.models import Notification
from hub.rewards.models import PointsEntry
from tests.factories import UserFactory

from .factories import make_event

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def ics_event(content: bytes):
    cal = icalendar.Calendar.from_ical(content)
    return next(c for c in cal.walk("VEVENT"))


def publish(event, **changes):
    for name, value in changes.items():
        setattr(event, name, value)
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def test_event_ics_has_a_stable_uid_local_times_and_a_growing_sequence(event_index, client):
    event = make_event(event_index, time_zone="Asia/Tbilisi")
    first = ics_event(client.get(reverse("events:event_ics", args=[event.pk])).content)
    assert first["SUMMARY"] == event.title
    assert first.decoded("DTSTART") == event.starts_at
    assert str(first["DTSTART"].params["TZID"]) == "Asia/Tbilisi"
    assert int(first["SEQUENCE"]) == 0
    publish(event, starts_at=event.starts_at + HOUR, ends_at=event.ends_at + HOUR)
    second = ics_event(client.get(reverse("events:event_ics", args=[event.pk])).content)
    assert second["UID"] == first["UID"]
    assert int(second["SEQUENCE"]) == 1
    assert second.decoded("DTSTART") == event.starts_at


def test_cancelled_event_ics_says_cancelled(event, client):
    publish(event, cancelled=True)
    item = ics_event(client.get(reverse("events:event_ics", args=[event.pk])).content)
    assert item["STATUS"] == "CANCELLED"
    assert int(item["SEQUENCE"]) == 1


def test_ics_carries_the_online_link_only_for_confirmed_attendees(event_index, client, member):
    event = make_event(
        event_index, format=EventPage.ONLINE, online_url="https://meet.example.com/room-42"
    )
    url = reverse("events:event_ics", args=[event.pk])
    assert b"room-42" not in client.get(url).content
    services.register_rsvp(event, by=member)
    client.force_login(member)
    assert b"room-42" in client.get(url).content


def test_personal_feed_lists_my_events_at_a_secret_url_that_can_be_regenerated(
    event_index, member_client, member, client
):
    mine = make_event(event_index, title="Mine")
    make_event(event_index, title="Not mine")
    services.register_rsvp(mine, by=member)
    page = member_client.get(reverse("events:my_events"))
    feed = services.calendar_feed(member)
    assert feed.token in page.content.decode()
    content = client.get(reverse("events:personal_feed", args=[feed.token])).content
    summaries = [str(c["SUMMARY"]) for c in icalendar.Calendar.from_ical(content).walk("VEVENT")]
    assert summaries == ["Mine"]
    full = make_event(event_index, title="Full", capacity=1)
    services.register_rsvp(full, by=UserFactory(username="first"))
    services.register_rsvp(full, by=member)
    content = client.get(reverse("events:personal_feed", args=[feed.token])).content
    statuses = {
        str(c["SUMMARY"]): str(c["STATUS"])
        for c in icalendar.Calendar.from_ical(content).walk("VEVENT")
    }
    assert statuses == {"Mine": "CONFIRMED", "Full": "TENTATIVE"}
    member_client.post(reverse("events:regenerate_feed"))
    assert client.get(reverse("events:personal_feed", args=[feed.token])).status_code == 404


def test_add_to_calendar_links_carry_the_event_in_utc(event, client):
    page = client.get(event.url).content.decode()
    start = event.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert "calendar.google.com/calendar/render" in page and start in page
    assert "outlook.live.com/calendar" in page


def test_rescheduling_tells_attendees_and_cancelling_tells_everyone(event_index, make_members):
    event = make_event(event_index, capacity=1)
    going, waiting = make_members(2)
    services.register_rsvp(event, by=going)
    services.register_rsvp(event, by=waiting)
    publish(event, starts_at=event.starts_at + HOUR, ends_at=event.ends_at + HOUR)
    assert Notification.objects.filter(kind=services.KIND_RESCHEDULED).count() == 2
    publish(event, cancelled=True)
    cancelled = Notification.objects.filter(kind=services.KIND_CANCELLED)
    assert set(cancelled.values_list("recipient", flat=True)) == {going.pk, waiting.pk}
    publish(event, summary="Edited")
    assert Notification.objects.filter(kind=services.KIND_CANCELLED).count() == 2  # once


def test_raising_the_capacity_promotes_the_waitlist(event_index, make_members):
    event = make_event(event_index, capacity=1)
    a, b = make_members(2)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=b)
    publish(event, capacity=2)
    assert RSVP.objects.get(user=b).is_confirmed


def test_reminders_go_out_24_hours_and_1_hour_before_once_each(event_index, member):
    event = make_event(event_index, starts_in=datetime.timedelta(days=3))
    start = event.starts_at
    services.register_rsvp(event, by=member)
    assert tasks.send_due_messages(event.pk, now=start - 30 * HOUR) == {}
    assert tasks.send_due_messages(event.pk, now=start - 23 * HOUR) == {"reminder_24h": 1}
    assert tasks.send_due_messages(event.pk, now=start - 22 * HOUR) == {"reminder_24h": 0}
    assert tasks.send_due_messages(event.pk, now=start - 0.5 * HOUR) == {"reminder_1h": 1}
    reminders = Notification.objects.filter(recipient=member, kind=tasks.KIND_REMINDER)
    assert [n.text.split(":")[0] for n in reminders.order_by("pk")] == [
        "Tomorrow",
        "Starting in an hour",
    ]


def test_someone_who_rsvps_three_hours_before_gets_only_the_one_hour_reminder(event_index, member):
    event = make_event(event_index, starts_in=3 * HOUR)
    services.register_rsvp(event, by=member)
    start = event.starts_at
    assert tasks.send_due_messages(event.pk, now=start - 2 * HOUR) == {"reminder_24h": 0}
    assert tasks.send_due_messages(event.pk, now=start - 0.9 * HOUR) == {"reminder_1h": 1}
    assert Delivery.objects.filter(user=member).count() == 1


def test_rescheduling_moves_the_reminders(event_index, member):
    event = make_event(event_index, starts_in=datetime.timedelta(days=3))
    services.register_rsvp(event, by=member)
    old_start = event.starts_at
    tasks.send_due_messages(event.pk, now=old_start - 23 * HOUR)
    event = publish(
        event,
        starts_at=old_start + datetime.timedelta(days=7),
        ends_at=event.ends_at + datetime.timedelta(days=7),
    )
    # The old time passes with nothing sent; the new time gets its own reminders.
    assert tasks.send_due_messages(event.pk, now=old_start - 0.5 * HOUR) == {}
    assert tasks.send_due_messages(event.pk, now=event.starts_at - 23 * HOUR) == {"reminder_24h": 1}


def test_publishing_schedules_deferred_jobs_when_the_backend_can_defer(
    event_index, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    event = make_event(event_index, starts_in=datetime.timedelta(days=3), publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    event.refresh_from_db()
    results = [
        r for r in default_task_backend.results if r.task.func is tasks.send_event_messages.func
    ]
    assert len(results) == 3
    run_after = sorted({r.task.run_after for r in results})
    assert run_after == sorted([event.starts_at - 24 * HOUR, event.starts_at - HOUR, event.ends_at])


def test_a_job_for_an_old_start_time_does_nothing(event_index, member):
    event = make_event(event_index, starts_in=2 * HOUR)
    services.register_rsvp(event, by=member)
    stale = (event.starts_at - HOUR).isoformat()
    assert tasks.send_event_messages.call(event.pk, stale) == {}


def test_the_sweep_sends_what_is_due_and_nothing_twice(event_index, member):
    event = make_event(event_index, starts_in=0.5 * HOUR)
    event.rsvps.create(user=member, status=RSVP.CONFIRMED, confirmed_at=timezone.now() - 2 * HOUR)
    assert tasks.sweep_event_messages.call() == 1
    assert tasks.sweep_event_messages.call() == 0


def test_after_the_event_attendees_get_the_feedback_link_and_hosts_their_points(
    event_index, make_members
):
    host, came, absent = make_members(3)
    event = make_event(
        event_index,
        kind=EventPage.WORKSHOP,
        hosts=[host],
        feedback_url="https://example.com/survey",
        starts_in=HOUR,
    )
    for user in (came, absent):
        services.register_rsvp(event, by=user)
    services.check_in(RSVP.objects.get(user=came), by=host)
    after = event.ends_at + HOUR
    assert tasks.send_due_messages(event.pk, now=after)["feedback"] == 1
    prompt = Notification.objects.get(kind=tasks.KIND_FEEDBACK)
    assert prompt.recipient == came and prompt.url == "https://example.com/survey"
    assert PointsEntry.objects.filter(user=host, action=tasks.HOSTED_ACTION).count() == 1
    tasks.send_due_messages(event.pk, now=after)
    assert PointsEntry.objects.filter(user=host, action=tasks.HOSTED_ACTION).count() == 1


def test_cancelled_events_send_no_reminders(event_index, member):
    event = make_event(event_index, starts_in=0.5 * HOUR)
    services.register_rsvp(event, by=member)
    publish(event, cancelled=True)
    assert tasks.send_due_messages(event.pk) == {}


def test_the_reminder_command_runs_the_sweep(event_index, member, capsys):
    from django.core.management import call_command

    UserFactory(username="x")
    call_command("send_event_reminders")
    assert "event message(s) sent" in capsys.readouterr().out


def test_event_ics_reminds_a_day_and_an_hour_before_unless_cancelled(event, client):
    url = reverse("events:event_ics", args=[event.pk])
    alarms = ics_event(client.get(url).content).walk("VALARM")
    assert sorted(alarm.decoded("TRIGGER") for alarm in alarms) == [
        -datetime.timedelta(days=1),
        -HOUR,
    ]
    assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in alarms)
    publish(event, cancelled=True)
    assert ics_event(client.get(url).content).walk("VALARM") == []


def test_an_online_ticket_does_not_send_anyone_to_a_door(event_index, member_client, member):
    event = make_event(
        event_index, format=EventPage.ONLINE, online_url="https://meet.example.com/room-42"
    )
    rsvp = services.register_rsvp(event, by=member)
    ticket = member_client.get(reverse("events:ticket", args=[rsvp.pk])).content.decode()
    assert "door" not in ticket
    assert "Join with the link on the event page" in ticket
    page = member_client.get(event.url).content.decode()
    assert "show it at the door" not in page


def test_an_in_person_event_links_its_venue_to_a_map(event_index, client):
    event = make_event(event_index, venue_name="Ridge Hall", venue_address="1 Trail Road\nBergen")
    page = client.get(event.url).content.decode()
    assert "https://www.openstreetmap.org/search?query=Ridge+Hall%2C+1+Trail+Road+Bergen" in page
