"""RSVPs: seats, the waitlist in arrival order, promotion with guests, and plain refusals."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events import queries, services
from events.models import RSVP, EventPage
from events.queries import state_for
from hub.notifications.models import Notification
from hub.ratelimit import Limit, RateLimited
from hub.rewards.models import Balance, Tier
from tests.factories import UserFactory

from .factories import make_event

pytestmark = pytest.mark.django_db


def test_members_are_confirmed_until_the_seats_run_out_then_waitlisted(event_index, make_members):
    event = make_event(event_index, capacity=2)
    a, b, c = make_members(3)
    assert services.register_rsvp(event, by=a).status == RSVP.CONFIRMED
    assert services.register_rsvp(event, by=b).status == RSVP.CONFIRMED
    assert services.register_rsvp(event, by=c).status == RSVP.WAITLISTED
    assert state_for(event, c)["position"] == 1


def test_rsvping_twice_keeps_one_rsvp(event, member):
    first = services.register_rsvp(event, by=member)
    again = services.register_rsvp(event, by=member)
    assert first.pk == again.pk
    assert RSVP.objects.filter(event=event).count() == 1


def test_guests_take_seats_and_are_limited_per_event(event_index, make_members):
    event = make_event(event_index, capacity=3, max_guests=2)
    a, b = make_members(2)
    with pytest.raises(services.EventsError, match="up to 2 guests"):
        services.register_rsvp(event, by=a, guests=3)
    assert services.register_rsvp(event, by=a, guests=2).is_confirmed
    assert services.register_rsvp(event, by=b).is_waitlisted


def test_cancelling_promotes_the_first_waitlisted_member_and_tells_them(
    event_index, make_members, pushed, django_capture_on_commit_callbacks, settings
):
    event = make_event(event_index, capacity=1)
    a, b, c = make_members(3)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=b)
    services.register_rsvp(event, by=c)
    mail.outbox.clear()
    settings.NOTIFICATIONS_EMAIL_DIGEST_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(event, by=a)
    assert RSVP.objects.get(user=b).status == RSVP.CONFIRMED
    assert RSVP.objects.get(user=c).status == RSVP.WAITLISTED
    assert state_for(event, c)["position"] == 1
    note = Notification.objects.get(recipient=b)
    assert note.kind == services.KIND_PROMOTED and event.title in note.text
    assert any(m.to == [b.email] for m in mail.outbox)  # e-mail by default for this kind
    assert any(group == f"user.{b.pk}" for group, _msg in pushed)  # and live


def test_skip_policy_fills_seats_with_smaller_groups_while_a_big_group_keeps_its_place(
    event_index, make_members
):
    event = make_event(event_index, capacity=3, max_guests=2, waitlist_policy=EventPage.SKIP)
    a, big, solo, other = make_members(4)
    services.register_rsvp(event, by=a, guests=2)  # 3 seats: full
    services.register_rsvp(event, by=big, guests=2)  # waits for 3
    services.register_rsvp(event, by=solo)  # waits for 1
    services.register_rsvp(event, by=other)
    services.cancel_rsvp(event, by=a)  # 3 free: the big group fits first
    assert RSVP.objects.get(user=big).is_confirmed
    assert RSVP.objects.get(user=solo).is_waitlisted


def test_skip_policy_lets_a_solo_member_pass_a_group_that_does_not_fit(event_index, make_members):
    event = make_event(event_index, capacity=2, max_guests=2, waitlist_policy=EventPage.SKIP)
    a, big, solo = make_members(3)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=UserFactory(username="x"))
    services.register_rsvp(event, by=big, guests=2)
    services.register_rsvp(event, by=solo)
    services.cancel_rsvp(event, by=a)  # 1 seat free: the group of 3 does not fit
    assert RSVP.objects.get(user=solo).is_confirmed
    assert RSVP.objects.get(user=big).is_waitlisted
    assert state_for(event, big)["position"] == 1  # still first in line


def test_strict_policy_keeps_the_seat_for_the_group_at_the_head(event_index, make_members):
    event = make_event(event_index, capacity=2, max_guests=2, waitlist_policy=EventPage.STRICT)
    a, b, big, solo, late = make_members(5)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=b)
    services.register_rsvp(event, by=big, guests=1)
    services.register_rsvp(event, by=solo)
    services.cancel_rsvp(event, by=a)  # 1 free, the head needs 2: nobody passes
    assert RSVP.objects.get(user=solo).is_waitlisted
    assert services.register_rsvp(event, by=late).is_waitlisted  # no jumping the line either
    services.cancel_rsvp(event, by=b)  # now 2 free
    assert RSVP.objects.get(user=big).is_confirmed


def test_members_can_leave_the_waitlist_and_the_line_moves_up(event_index, make_members):
    event = make_event(event_index, capacity=1)
    a, b, c = make_members(3)
    for user in (a, b, c):
        services.register_rsvp(event, by=user)
    services.leave_waitlist(event, by=b)
    assert RSVP.objects.get(user=b).status == RSVP.CANCELLED
    assert state_for(event, c)["position"] == 1
    with pytest.raises(services.EventsError):
        services.leave_waitlist(event, by=a)  # a is going, not waiting


def test_rsvping_again_after_cancelling_joins_the_end_of_the_line(event_index, make_members):
    event = make_event(event_index, capacity=1)
    a, b, c = make_members(3)
    services.register_rsvp(event, by=a)
    services.register_rsvp(event, by=b)
    services.leave_waitlist(event, by=b)
    services.register_rsvp(event, by=c)
    services.register_rsvp(event, by=b)
    assert state_for(event, b)["position"] == 2


def test_required_questions_must_be_answered(event_index, member):
    event = make_event(event_index, questions=[("Dietary needs", True)])
    with pytest.raises(services.EventsError, match="Dietary needs"):
        services.register_rsvp(event, by=member)
    rsvp = services.register_rsvp(event, by=member, answers={"Dietary needs": "Vegan"})
    assert rsvp.answers == {"Dietary needs": "Vegan"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_in": -datetime.timedelta(hours=1)}, "already started"),
        ({"rsvp_closes_at": timezone.now() - datetime.timedelta(minutes=1)}, "closed"),
        ({"rsvp_opens_at": timezone.now() + datetime.timedelta(days=1)}, "RSVPs open on"),
        ({"cancelled": True}, "cancelled"),
    ],
)
def test_closed_past_and_cancelled_events_refuse_rsvps_plainly(
    event_index, member, fields, message
):
    event = make_event(event_index, **fields)
    with pytest.raises(services.EventsError, match=message):
        services.register_rsvp(event, by=member)


def test_advocate_only_events_refuse_members_below_the_tier(event_index, member):
    tier = Tier.objects.get(name="Insider")
    event = make_event(event_index, min_tier=tier)
    with pytest.raises(services.EventsError, match="Insider advocates"):
        services.register_rsvp(event, by=member)
    Balance.objects.update_or_create(user=member, defaults={"lifetime": tier.threshold})
    assert services.register_rsvp(event, by=member).is_confirmed


def test_rsvping_too_often_is_refused_by_the_service_and_shown_on_the_page(
    event_index, member_client, member, monkeypatch
):
    monkeypatch.setattr(services, "RSVP_LIMIT", Limit("events.rsvp", per_hour=1))
    services.register_rsvp(make_event(event_index, title="First"), by=member)
    second = make_event(event_index, title="Second")
    with pytest.raises(RateLimited, match="try again"):
        services.register_rsvp(second, by=member)
    response = member_client.post(reverse("events:rsvp", args=[second.pk]), follow=True)
    assert "try again in" in response.content.decode()
    assert not RSVP.objects.filter(event=second).exists()


def test_one_click_rsvp_from_the_event_page(event, member_client, member):
    response = member_client.post(reverse("events:rsvp", args=[event.pk]))
    assert response.status_code == 302
    page = member_client.get(event.url)
    assert "You are going." in page.content.decode()
    assert RSVP.objects.get(user=member).is_confirmed


def test_full_event_page_offers_the_waitlist_and_shows_the_position(
    event_index, member_client, member
):
    event = make_event(event_index, capacity=1)
    services.register_rsvp(event, by=UserFactory(username="early"))
    page = member_client.get(event.url).content.decode()
    assert "Join the waitlist" in page
    member_client.post(reverse("events:rsvp", args=[event.pk]))
    page = member_client.get(event.url).content.decode()
    assert "You are number 1 on the waitlist." in page
    assert "Leave the waitlist" in page


def test_missing_required_answer_is_a_form_error_that_keeps_the_page(event_index, member_client):
    event = make_event(event_index, questions=[("Dietary needs", True)])
    response = member_client.post(reverse("events:rsvp", args=[event.pk]), {"q_x": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(event, client):
    response = client.get(event.url)
    assert "Sign in to RSVP" in response.content.decode()
    response = client.post(reverse("events:rsvp", args=[event.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_online_link_is_shown_only_to_confirmed_attendees(event_index, member_client, member):
    event = make_event(
        event_index, format=EventPage.ONLINE, online_url="https://meet.example.com/secret-room"
    )
    assert "secret-room" not in member_client.get(event.url).content.decode()
    services.register_rsvp(event, by=member)
    assert "secret-room" in member_client.get(event.url).content.decode()


def test_rsvp_by_get_changes_nothing_and_offers_the_form(event, member_client, member):
    # GET is where a visitor who signed in to RSVP lands: the form, not a seat taken for them.
    response = member_client.get(reverse("events:rsvp", args=[event.pk]))
    assert response.status_code == 200 and not RSVP.objects.filter(user=member).exists()
    assert member_client.get(reverse("events:cancel", args=[event.pk])).status_code == 405


def test_bringing_fewer_guests_frees_seats_for_the_waitlist(event_index, make_members):
    event = make_event(event_index, capacity=3, max_guests=2)
    a, b = make_members(2)
    services.register_rsvp(event, by=a, guests=2)
    services.register_rsvp(event, by=b)
    services.change_guests(event, by=a, guests=1)
    assert RSVP.objects.get(user=b).is_confirmed
    assert queries.confirmed_seats(event.pk) == 3


def test_bringing_more_guests_needs_free_seats(event_index, make_members, member_client, member):
    event = make_event(event_index, capacity=3, max_guests=2)
    services.register_rsvp(event, by=member)
    services.register_rsvp(event, by=make_members(1)[0], guests=1)
    response = member_client.post(reverse("events:change_guests", args=[event.pk]), {"guests": 2})
    page = member_client.get(response["Location"]).content.decode()
    assert "No more seats are free." in page
    assert RSVP.objects.get(user=member).guests == 0
    member_client.post(reverse("events:change_guests", args=[event.pk]), {"guests": "x"})
    assert RSVP.objects.get(user=member).guests == 0
