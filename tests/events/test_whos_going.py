"""Who's going: members who chose to be listed appear on the event page, the rest are a count."""

import pytest
from django.urls import reverse

from events import services
from events.models import RSVP
from tests.factories import UserFactory, make_editor

from .factories import make_event

pytestmark = pytest.mark.django_db


def test_a_member_who_ticks_the_box_is_listed_and_others_are_counted(event_index, client):
    event = make_event(event_index, capacity=20)
    shown = UserFactory(username="shown", display_name="Lina Listed")
    services.register_rsvp(event, by=shown, listed=True)
    services.register_rsvp(event, by=UserFactory(username="quiet", display_name="Quiet Quinn"))

    page = client.get(event.url).content.decode()

    assert "Who’s going" in page and "Lina Listed" in page
    assert "Quiet Quinn" not in page
    assert "and 1 other" in page


def test_nobody_is_listed_unless_they_choose_to_be(event_index, member_client, member):
    event = make_event(event_index)

    member_client.post(reverse("events:rsvp", args=[event.pk]), {})

    assert RSVP.objects.get(event=event, user=member).listed is False
    assert "whos-going-heading" not in member_client.get(event.url).content.decode()


def test_the_rsvp_form_opt_in_lists_the_member(event_index, member_client, member):
    event = make_event(event_index)

    member_client.post(reverse("events:rsvp", args=[event.pk]), {"listed": "on"})

    assert RSVP.objects.get(event=event, user=member).listed is True
    assert "Ana Souza" in member_client.get(event.url).content.decode()


def test_a_member_can_leave_and_rejoin_the_list_from_their_rsvp(event_index, member_client, member):
    event = make_event(event_index)
    services.register_rsvp(event, by=member, listed=True)
    url = reverse("events:set_listed", args=[event.pk])

    member_client.post(url, {})
    assert RSVP.objects.get(event=event, user=member).listed is False
    member_client.post(url, {"listed": "on"})
    assert RSVP.objects.get(event=event, user=member).listed is True


def test_waitlisted_and_cancelled_members_are_not_shown_as_going(event_index, client):
    event = make_event(event_index, capacity=1)
    going = UserFactory(username="going", display_name="Gia Going")
    waiting = UserFactory(username="waiting", display_name="Will Waiting")
    services.register_rsvp(event, by=going, listed=True)
    services.register_rsvp(event, by=waiting, listed=True)
    services.cancel_rsvp(event, by=going)  # the waiting member takes the seat
    services.register_rsvp(event, by=going, listed=True)  # now waiting in their turn

    page = client.get(event.url).content.decode()

    assert "Will Waiting" in page and "Gia Going" not in page


def test_the_list_is_bounded_and_the_page_queries_do_not_grow(
    event_index, client, django_assert_max_num_queries
):
    event = make_event(event_index, capacity=100)
    for n in range(20):
        services.register_rsvp(event, by=UserFactory(username=f"l{n}"), listed=True)

    with django_assert_max_num_queries(30):
        page = client.get(event.url).content.decode()

    assert page.count('class="whos-going__list"') == 1
    assert "and 8 others" in page


def test_editors_see_who_asked_to_be_listed_in_the_attendee_list(event_index, client, member):
    event = make_event(event_index)
    services.register_rsvp(event, by=member, listed=True)
    client.force_login(make_editor())

    page = client.get(reverse("events_attendees", args=[event.pk])).content.decode()

    assert "In “Who’s going”" in page and "Yes" in page


def test_a_visitor_who_signs_in_to_rsvp_comes_back_one_click_from_their_seat(event_index, client):
    event = make_event(event_index)
    rsvp_url = reverse("events:rsvp", args=[event.pk])
    assert f"?next={rsvp_url}" in client.get(event.url).content.decode().replace("%2F", "/")
    member = UserFactory(username="newcomer")
    client.force_login(member)

    confirm = client.get(rsvp_url)
    assert confirm.status_code == 200 and "Your place at" in confirm.content.decode()
    client.post(rsvp_url, {})

    assert RSVP.objects.get(event=event, user=member).is_confirmed
    assert client.get(rsvp_url).status_code == 302  # already going: straight to the event
