"""Pages, time zones, check-in, the editors' admin, permissions, query counts, demo and bench."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events import queries, services
from events.models import RSVP, EventIndexPage, EventPage
from hub.navigation import nav_items
from hub.rewards.models import PointsEntry
from tests.factories import UserFactory, make_editor

from .factories import make_event

pytestmark = pytest.mark.django_db


def test_index_lists_upcoming_and_past_and_filters_by_format_tag_and_month(event_index, client):
    make_event(event_index, title="Soon online", format=EventPage.ONLINE,
               online_url="https://meet.example.com/x", tags=["workshops"])  # fmt: skip
    make_event(event_index, title="Soon in person", tags=["meetups"])
    make_event(event_index, title="Long ago", starts_in=-datetime.timedelta(days=40))
    url = event_index.url
    page = client.get(url).content.decode()
    assert "Soon online" in page and "Soon in person" in page and "Long ago" not in page
    assert "Long ago" in client.get(url + "?when=past").content.decode()
    online = client.get(url + "?format=online").content.decode()
    assert "Soon online" in online and "Soon in person" not in online
    tagged = client.get(url + "?tag=meetups").content.decode()
    assert "Soon in person" in tagged and "Soon online" not in tagged
    past_month = (timezone.now() - datetime.timedelta(days=40)).strftime("%Y-%m")
    month = client.get(url + f"?month={past_month}").content.decode()
    assert "Long ago" in month and "Soon online" not in month


def test_month_calendar_shows_events_on_their_local_day(event_index, client):
    start = datetime.datetime(2027, 3, 10, 23, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Tbilisi"))
    make_event(event_index, title="Late in Tbilisi", starts_at=start, time_zone="Asia/Tbilisi")
    page = client.get(event_index.url + "calendar/?month=2027-03").content.decode()
    assert "March 2027" in page
    assert "23:30 <bdi>Late in Tbilisi</bdi>" in page


def test_the_month_is_also_an_agenda_of_the_days_with_events(event_index, client):
    zone = zoneinfo.ZoneInfo("Europe/London")
    for day, title in ((3, "Early walk"), (17, "Repair night")):
        make_event(
            event_index,
            title=title,
            starts_at=datetime.datetime(2027, 3, day, 18, 0, tzinfo=zone),
            time_zone="Europe/London",
        )
    page = client.get(event_index.url + "calendar/?month=2027-03").content.decode()
    agenda = page[page.index('class="agenda"') :]
    assert agenda.count('<li class="agenda__day') == 2  # only the days that have events
    assert '<time datetime="2027-03-03">' in agenda and '<time datetime="2027-03-17">' in agenda
    assert "18:00 <bdi>Repair night</bdi>" in agenda
    empty = client.get(event_index.url + "calendar/?month=2027-05").content.decode()
    assert "No events this month." in empty


def test_a_tbilisi_event_shows_tbilisi_time_with_its_zone_to_a_helsinki_member(
    event_index, member_client
):
    # The member's browser is in Helsinki: the page states the time at the event, names the
    # zone, and carries the instant for the browser to add the Helsinki time (tested in e2e).
    start = datetime.datetime(2027, 1, 15, 19, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tbilisi"))
    event = make_event(event_index, starts_at=start, time_zone="Asia/Tbilisi")
    page = member_client.get(event.url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    # The date and time as a Finnish reader writes them ("15. tammikuuta 2027, 19.00"), at the event.
    assert "15. tammikuuta 2027, 19.00" in page
    assert "Asia/Tbilisi (GMT+04:00)" in page
    assert 'datetime="2027-01-15T15:00:00+00:00"' in page


def test_editor_times_are_read_in_the_event_time_zone(settings):
    from django import forms

    from events.forms import wall_clock_in_zone

    with timezone.override(zoneinfo.ZoneInfo("Europe/Helsinki")):  # the editor's own zone
        typed = forms.DateTimeField().clean("2027-05-01 19:00")
        stored = wall_clock_in_zone(typed, "Asia/Tbilisi")
    assert stored.astimezone(datetime.UTC).hour == 15  # 19:00 in Tbilisi (UTC+4)


def test_event_editor_shows_and_saves_times_in_the_event_zone(event_index, client):
    start = datetime.datetime(2027, 1, 15, 19, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tbilisi"))
    event = make_event(event_index, starts_at=start, time_zone="Asia/Tbilisi")
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    page = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert "2027-01-15 19:00" in page


def test_check_in_by_host_awards_points_once_and_twice_is_harmless(
    event_index, make_members, client
):
    host, guest = make_members(2)
    # Check-in opens a few hours before the start.
    event = make_event(event_index, hosts=[host], starts_in=datetime.timedelta(hours=1))
    rsvp = services.register_rsvp(event, by=guest)
    client.force_login(host)
    page = client.get(reverse("events:check_in", args=[event.pk]) + f"?q={guest.username}")
    assert guest.public_name in page.content.decode()
    url = reverse("events:check_in_rsvp", args=[event.pk, rsvp.pk])
    client.post(url)
    client.post(url)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None and rsvp.checked_in_by == host
    assert PointsEntry.objects.filter(user=guest, action=services.ATTENDED_ACTION).count() == 1
    from events.queries import attended

    assert attended(guest, event.pk)
    client.force_login(guest)
    assert client.get(reverse("events:attended", args=[event.pk])).json()["attended"] is True


def test_members_cannot_open_the_door_page_but_editors_can(event, member_client, client):
    assert member_client.get(reverse("events:check_in", args=[event.pk])).status_code == 403
    client.force_login(make_editor())
    assert client.get(reverse("events:check_in", args=[event.pk])).status_code == 200


def test_ticket_shows_a_qr_code_that_opens_the_check_in_for_hosts(
    event_index, make_members, client
):
    host, guest = make_members(2)
    event = make_event(event_index, hosts=[host], starts_in=datetime.timedelta(hours=1))
    rsvp = services.register_rsvp(event, by=guest)
    client.force_login(guest)
    ticket = client.get(reverse("events:ticket", args=[rsvp.pk])).content.decode()
    assert "<svg" in ticket
    client.force_login(UserFactory(username="stranger"))
    assert client.get(reverse("events:ticket", args=[rsvp.pk])).status_code == 404
    code_url = reverse("events:check_in_code", args=[rsvp.ticket_code])
    assert client.get(code_url).status_code == 403
    client.force_login(host)
    assert guest.public_name in client.get(code_url).content.decode()
    client.post(code_url)
    assert RSVP.objects.get(pk=rsvp.pk).checked_in_at is not None


def test_editors_see_attendees_export_csv_manage_the_waitlist_and_message_everyone(
    event_index, make_members, client
):
    event = make_event(event_index, capacity=1, questions=[("Dietary needs", False)])
    a, b = make_members(2)
    services.register_rsvp(event, by=a, answers={"Dietary needs": "=HYPERLINK()"})
    waiting = services.register_rsvp(event, by=b)
    client.force_login(make_editor())
    page = client.get(reverse("events_attendees", args=[event.pk])).content.decode()
    assert a.public_name in page and b.public_name in page
    csv_text = client.get(reverse("events_attendees", args=[event.pk]) + "?format=csv")
    body = csv_text.content.decode()
    assert "Dietary needs" in body and "'=HYPERLINK()" in body
    client.post(reverse("events_remove", args=[event.pk, RSVP.objects.get(user=a).pk]))
    waiting.refresh_from_db()
    assert waiting.is_confirmed
    response = client.post(reverse("events_message", args=[event.pk]), {"text": "Bring boots"})
    assert response.status_code == 302
    from hub.notifications.models import Notification

    assert Notification.objects.filter(recipient=b, kind=services.KIND_MESSAGE).exists()


def test_every_staff_action_on_an_event_is_written_to_its_history(
    event_index, make_members, client
):
    from wagtail.models import ModelLogEntry, PageLogEntry

    event = make_event(
        event_index,
        capacity=2,
        max_guests=2,
        waitlist_policy=EventPage.STRICT,
        title="Bike repair",
        starts_in=datetime.timedelta(hours=1),  # check-in is open
    )
    a, b, c = make_members(3)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=b, guests=2)  # three seats: waits
    services.register_rsvp(event, by=c)  # strict order: waits behind b
    editor = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(editor)
    rsvp = {r.user_id: r.pk for r in RSVP.objects.filter(event=event)}
    client.post(reverse("events_promote", args=[event.pk, rsvp[c.pk]]))
    client.post(reverse("events_remove", args=[event.pk, rsvp[a.pk]]))
    client.post(reverse("events_remove", args=[event.pk, rsvp[b.pk]]))
    client.post(reverse("events:check_in_rsvp", args=[event.pk, rsvp[c.pk]]))
    client.post(reverse("events_message", args=[event.pk]), {"text": "Bring a pump"})
    client.post(reverse("events_series", args=[event.pk]), {"count": 2, "interval": "weekly"})

    rsvp_actions = list(
        ModelLogEntry.objects.filter(action__startswith="events.")
        .order_by("pk")
        .values_list("action", "user_id")
    )
    assert rsvp_actions == [
        (services.RSVP_PROMOTED, editor.pk),
        (services.RSVP_REMOVED, editor.pk),
        (services.RSVP_REMOVED, editor.pk),
        (services.RSVP_CHECKED_IN, editor.pk),
    ]
    page_actions = PageLogEntry.objects.filter(page=event, action__startswith="events.")
    assert set(page_actions.values_list("action", "user_id")) == {
        (services.EVENT_MESSAGED, editor.pk),
        (services.SERIES_CREATED, editor.pk),
    }
    history = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert f"{c.public_name} checked in at Bike repair".lower() in history.lower()
    assert "Message sent to 1 person: Bring a pump" in history
    assert "2 sessions created" in history


def test_members_cannot_reach_the_editors_views(event, member_client):
    response = member_client.get(reverse("events_attendees", args=[event.pk]))
    assert response.status_code in (302, 403)


def test_admin_has_one_events_menu_and_the_rsvp_listing_searches_and_exports(event, client):
    services.register_rsvp(event, by=UserFactory(username="zoe"))
    client.force_login(make_editor())
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (
        home.count('"label": "Events"') + home.count("&quot;label&quot;: &quot;Events&quot;") >= 1
    )
    listing = client.get(reverse("rsvps:index") + "?q=zoe")
    assert listing.status_code == 200 and "zoe" in listing.content.decode()
    export = client.get(reverse("rsvps:index") + "?export=csv")
    assert export.status_code == 200 and b"zoe" in b"".join(export.streaming_content)
    assert client.get(reverse("event-check-in:index")).status_code == 200


def test_admin_event_listing_filters_by_format(event_index, client):
    make_event(event_index, title="Webinar", format=EventPage.ONLINE, online_url="https://x.io/a")
    make_event(event_index, title="Hike")
    client.force_login(make_editor())
    page = client.get(reverse("event-pages:index") + "?format=online").content.decode()
    assert "Webinar" in page and "Hike" not in page


def test_a_series_copies_the_event_weekly_without_its_rsvps(event_index, client, member):
    event = make_event(event_index, title="Repair cafe", questions=[("Size", False)])
    services.register_rsvp(event, by=member)
    editor = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(editor)
    response = client.post(
        reverse("events_series", args=[event.pk]),
        {"count": 3, "interval": "weekly", "publish": "on"},
    )
    assert response.status_code == 302
    copies = EventPage.objects.exclude(pk=event.pk).order_by("starts_at")
    assert copies.count() == 3
    local = [c.local_start for c in copies]
    assert all(t.time() == event.local_start.time() for t in local)
    assert copies[0].starts_at - event.starts_at == datetime.timedelta(weeks=1)
    assert all(c.live and c.questions.count() == 1 and not c.rsvps.exists() for c in copies)


def test_the_header_nav_links_the_published_event_index(event_index):
    assert any(i["key"] == "events" and i["url"] == event_index.url for i in nav_items())


def test_home_page_shows_upcoming_events(site_tree, event_index, client):
    make_event(event_index, title="Coming soon")
    page = client.get("/").content.decode()
    assert "Upcoming events" in page and "Coming soon" in page


def test_index_and_event_page_queries_do_not_grow_with_data(
    event_index, member_client, member, django_assert_max_num_queries
):
    events = [make_event(event_index, title=f"E{n}", slug=f"e{n}", tags=["x"]) for n in range(15)]
    for n, event in enumerate(events[:3]):
        for m in range(4):
            services.register_rsvp(event, by=UserFactory(username=f"q{n}-{m}"))
    with django_assert_max_num_queries(30):
        assert member_client.get(event_index.url).status_code == 200
    with django_assert_max_num_queries(40):
        assert member_client.get(events[0].url).status_code == 200


def test_demo_seeder_is_idempotent_and_builds_a_full_event_with_a_waitlist(site_tree):
    from hub.accounts.models import User

    for name in ("ana", "ben", "chen", "dara", "editor"):
        UserFactory(username=name)
    from events.demo import seed_events

    seed_events(lambda _m: None)
    seed_events(lambda _m: None)
    assert EventPage.objects.count() == 6
    full = EventPage.objects.get(slug="dawn-hike-box-hill")
    assert queries.confirmed_seats(full.pk) == full.capacity
    assert RSVP.objects.filter(event=full, status=RSVP.WAITLISTED).exists()
    assert EventPage.objects.filter(format=EventPage.ONLINE).exists()
    assert EventPage.objects.filter(min_tier__isnull=False).exists()
    assert RSVP.objects.filter(checked_in_at__isnull=False).exists()
    assert User.objects.filter(username="hiker1").exists()


def test_bench_seeder_inserts_events_and_rsvps_at_tiny_scale(event_index):
    from events.bench import hot_event_url, seed_bench_events
    from hub.accounts.bench import seed_bench_users

    seed_bench_users(lambda _m: None, 0.001)
    seed_bench_events(lambda _m: None, 0.002)
    seed_bench_events(lambda _m: None, 0.002)
    assert EventPage.objects.filter(slug__startswith="bench-event-").count() == 10
    # 1,000 RSVPs wanted over 9 events, but only 20 bench members exist: 20 each, no repeats.
    assert RSVP.objects.count() == 9 * 20
    assert not RSVP.objects.filter(event__slug="bench-event-00001").exists()  # the probe's
    assert hot_event_url()
    from django.test import Client

    assert Client().get(hot_event_url()).status_code == 200


def test_dashboard_panel_reports_fill_rates(event_index, member):
    from events.queries import upcoming_fill_rates

    event = make_event(event_index, capacity=4)
    services.register_rsvp(event, by=member)
    panel = upcoming_fill_rates()
    assert panel["events"][0]["fill"] == 25


def test_nav_follows_the_index_being_unpublished(event_index):
    assert any(i["key"] == "events" for i in nav_items())
    event_index.unpublish()
    assert not any(i["key"] == "events" for i in nav_items())


def test_answers_are_stored_as_plain_text(event_index, member_client, member):
    event = make_event(event_index, questions=[("Dietary needs", False)])
    question = event.questions.get()
    member_client.post(
        reverse("events:rsvp", args=[event.pk]), {f"q_{question.pk}": "<b>No</b> nuts"}
    )
    assert RSVP.objects.get(user=member).answers == {"Dietary needs": "No nuts"}


def test_rsvps_cannot_be_edited_or_deleted_around_the_capacity_rules(event, member, client):
    rsvp = services.register_rsvp(event, by=member)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    edit = client.get(reverse("rsvps:edit", args=[rsvp.pk]))
    assert edit.status_code == 302 and edit["Location"].endswith(f"/events/{event.pk}/attendees/")
    client.post(reverse("rsvps:delete", args=[rsvp.pk]))  # refused (Wagtail redirects home)
    assert RSVP.objects.filter(pk=rsvp.pk).exists()


def test_duplicating_an_event_copies_it_without_rsvps_as_a_new_calendar_entry(event, member):
    from events.models import event_uid

    services.register_rsvp(event, by=member)
    EventPage.objects.filter(pk=event.pk).update(sequence=3)
    event.refresh_from_db()
    copy = event.copy(update_attrs={"slug": "trail-day-2", "title": "Trail day 2"}).specific
    assert copy.rsvps.count() == 0
    assert copy.sequence == 0 and copy.announced_starts_at is None
    assert event_uid(copy) != event_uid(event)


def test_door_page_and_my_events_queries_do_not_grow_with_attendees(
    event_index, django_assert_max_num_queries, client
):
    host = UserFactory(username="door-host")
    events = [
        make_event(event_index, title=f"Big {n}", slug=f"big-{n}", hosts=[host]) for n in range(3)
    ]
    regular = UserFactory(username="regular")
    for event in events:
        services.register_rsvp(event, by=regular)
    for n in range(60):  # more than the door page shows at once
        services.register_rsvp(events[0], by=UserFactory(username=f"crowd{n}"))
    client.force_login(host)
    door = reverse("events:check_in", args=[events[0].pk])
    client.get(door)  # the first request fills the site chrome's caches
    with django_assert_max_num_queries(20):
        assert client.get(door).status_code == 200
    client.force_login(regular)
    client.get(reverse("events:my_events"))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("events:my_events")).status_code == 200


def test_an_editor_creates_an_event_in_the_admin_with_times_in_its_zone(event_index, client):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    client.force_login(make_editor())
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", event_index.pk])
    data = nested_form_data(
        {
            "title": "Tbilisi meetup",
            "slug": "tbilisi-meetup",
            "kind": "event",
            "summary": "Khachapuri and trail talk.",
            "starts_at": "2027-06-01 19:00",
            "ends_at": "2027-06-01 21:00",
            "time_zone": "Asia/Tbilisi",
            "format": "in_person",
            "venue_name": "Fabrika",
            "capacity": 30,
            "max_guests": 1,
            "waitlist_policy": "skip",
            "check_in_opens_hours": 3,
            "check_in_closes_hours": 2,
            "description": streamfield([]),
            "hosts": inline_formset([]),
            "questions": inline_formset([{"label": "Dietary needs", "required": False}]),
            "tags": "",
            "action-publish": "action-publish",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = EventPage.objects.get(slug="tbilisi-meetup")
    assert event.live
    assert event.starts_at == datetime.datetime(2027, 6, 1, 15, 0, tzinfo=datetime.UTC)
    assert event.questions.count() == 1


def test_an_online_event_without_a_link_is_refused_with_a_form_error(event_index, client):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    client.force_login(make_editor())
    url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", event_index.pk])
    data = nested_form_data(
        {
            "title": "Webinar", "slug": "webinar", "kind": "event", "summary": "Live.",
            "starts_at": "2027-06-01 19:00", "ends_at": "2027-06-01 18:00",
            "time_zone": "Europe/London", "format": "online", "capacity": 30, "max_guests": 0,
            "waitlist_policy": "skip", "description": streamfield([]),
            "hosts": inline_formset([]), "questions": inline_formset([]), "tags": "",
        }
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "An online event needs the link attendees join with." in page
    assert "The event must end after it starts." in page
    assert not EventPage.objects.filter(slug="webinar").exists()


def test_page_rules_put_one_event_index_under_the_home_page_and_events_under_it(site_tree):
    from hub.content.models import HomePage, StoryIndexPage

    home, stories = site_tree
    assert EventIndexPage in HomePage.allowed_subpage_models()
    assert EventIndexPage.can_create_at(home)
    assert not EventIndexPage.can_create_at(stories)
    assert EventPage.allowed_parent_page_models() == [EventIndexPage]
    assert EventPage not in StoryIndexPage.allowed_subpage_models()
