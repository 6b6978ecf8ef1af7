"""Notification pages: the list, following and marking read, preferences, and the header's bell."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from hub.notifications.kinds import EMAIL, all_kinds
from hub.notifications.models import Notification, NotificationPreference
from hub.notifications.services import ANNOUNCEMENT
from tests.factories import UserFactory, make_notifications

pytestmark = pytest.mark.django_db

LIST_URL = "/notifications/"
MARK_ALL_URL = "/notifications/read-all/"


def mark_read_url(notification) -> str:
    return f"/notifications/{notification.pk}/read/"


def open_url(notification) -> str:
    return f"/notifications/{notification.pk}/open/"


def listed_texts(response) -> list[str]:
    """The texts in the page's own list (the header's bell shows the latest few as well)."""
    page_list = re.search(r"<ul [^>]*data-notification-page>(.*?)</ul>", response.text, re.S)
    if page_list is None:
        return []
    return re.findall(r'<span class="notification__text">([^<]*)</span>', page_list.group(1))


def unread_texts(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).unread().values_list("text", flat=True))


def is_read(notification) -> bool:
    notification.refresh_from_db()
    return notification.is_read


@pytest.fixture
def other_member(db):
    return UserFactory(username="ben")


# --- The list ---------------------------------------------------------------------------------


def test_notification_list_asks_a_visitor_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_notification_list_shows_twenty_per_page_newest_first(member_client, member):
    make_notifications(member, 25)

    first = member_client.get(LIST_URL)
    second = member_client.get(LIST_URL, {"page": 2})

    assert listed_texts(first) == [f"Notice {n}" for n in range(25, 5, -1)]
    assert "Page 1 of 2" in first.text
    assert listed_texts(second) == [f"Notice {n}" for n in range(5, 0, -1)]


def test_unread_filter_shows_only_unread_notifications(member_client, member):
    make_notifications(member, 2, text="Already read {n}", read=True)
    make_notifications(member, 2, text="Still unread {n}")

    response = member_client.get(LIST_URL, {"filter": "unread"})

    assert listed_texts(response) == ["Still unread 2", "Still unread 1"]


def test_notification_list_shows_only_the_members_own(member_client, member, other_member):
    make_notifications(member, 1, text="For Ana")
    make_notifications(other_member, 1, text="For Ben")

    assert listed_texts(member_client.get(LIST_URL)) == ["For Ana"]


# --- Opening and marking read -----------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_follows_its_link(member_client, member):
    [notification] = make_notifications(member, 1, url="/stories/ridge-2/")

    response = member_client.get(open_url(notification))

    assert response.status_code == 302
    assert response.url == "/stories/ridge-2/"
    assert is_read(notification)


def test_opening_a_notification_never_redirects_off_site(member_client, member):
    [notification] = make_notifications(member, 1, url="https://evil.example/phish")

    response = member_client.get(open_url(notification))

    assert response.status_code == 302
    assert response.url == LIST_URL
    assert is_read(notification)


def test_another_members_notification_is_not_found(member_client, other_member):
    [notification] = make_notifications(other_member, 1)

    assert member_client.get(open_url(notification)).status_code == 404
    assert member_client.post(mark_read_url(notification)).status_code == 404
    assert not is_read(notification)


def test_mark_read_form_marks_one_read_and_returns_to_the_page(member_client, member):
    first, second = make_notifications(member, 2)

    response = member_client.post(mark_read_url(first), {"next": "/notifications/?page=1"})

    assert response.status_code == 302
    assert response.url == "/notifications/?page=1"
    assert unread_texts(member) == {second.text}


def test_mark_read_never_returns_to_an_off_site_page(member_client, member):
    [notification] = make_notifications(member, 1)

    response = member_client.post(mark_read_url(notification), {"next": "https://evil.example/"})

    assert response.url == LIST_URL


def test_mark_read_answers_json_with_the_unread_count(member_client, member):
    first, _second = make_notifications(member, 2)

    response = member_client.post(mark_read_url(first), headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json() == {"unread": 1}


def test_mark_all_read_form_marks_everything_read(member_client, member, other_member):
    make_notifications(member, 3)
    make_notifications(other_member, 1, text="Ben's")

    response = member_client.post(MARK_ALL_URL, follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "All notifications are marked read." in response.text
    assert unread_texts(member) == set()
    assert unread_texts(other_member) == {"Ben's"}


def test_mark_all_read_answers_json(member_client, member):
    make_notifications(member, 3)

    response = member_client.post(MARK_ALL_URL, headers={"Accept": "application/json"})

    assert response.json() == {"unread": 0, "changed": 3}
    assert unread_texts(member) == set()


def test_marking_read_by_get_is_not_allowed(member_client, member):
    [notification] = make_notifications(member, 1)

    assert member_client.get(mark_read_url(notification)).status_code == 405
    assert member_client.get(MARK_ALL_URL).status_code == 405
    assert not is_read(notification)


def test_marking_read_without_a_csrf_token_is_refused(member):
    [notification] = make_notifications(member, 1)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)

    assert browser.post(mark_read_url(notification)).status_code == 403
    assert browser.post(MARK_ALL_URL).status_code == 403
    assert not is_read(notification)

    browser.get(LIST_URL)  # sets the CSRF cookie, as the page's form would send it
    token = browser.cookies["csrftoken"].value
    response = browser.post(mark_read_url(notification), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert is_read(notification)


# --- Preferences ------------------------------------------------------------------------------


def checked_choice(response, kind: str) -> str:
    inputs = re.findall(r"<input [^>]*>", response.text)
    [checked] = [tag for tag in inputs if f'name="{kind}"' in tag and "checked" in tag]
    return re.search(r'value="([^"]+)"', checked).group(1)


def test_preferences_page_saves_a_choice_and_shows_it_again(member_client, member):
    assert checked_choice(member_client.get("/notifications/preferences/"), ANNOUNCEMENT) == "inapp"
    choices = {kind.code: kind.default_channel for kind in all_kinds()} | {ANNOUNCEMENT: EMAIL}

    response = member_client.post("/notifications/preferences/", choices, follow=True)

    assert "Your notification preferences have been saved." in response.text
    assert checked_choice(response, ANNOUNCEMENT) == "email"
    assert NotificationPreference.objects.get(user=member).channel == EMAIL


def current_post(response) -> dict:
    """What the page would post untouched: every checked radio."""
    inputs = re.findall(r"<input [^>]*>", response.text)
    posted = {}
    for tag in inputs:
        if 'type="radio"' in tag and "checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            posted[name] = re.search(r'value="([^"]*)"', tag).group(1)
    return posted


def test_preferences_are_grouped_by_area_with_one_choice_each(member_client):
    page = member_client.get("/notifications/preferences/").text

    for area in ("Forum and comments", "Reviews and ideas", "Events", "Points and rewards"):
        assert f"<legend>{area}</legend>" in page
    assert "All on" in page and "On the site only" in page and "All off" in page


def test_turning_an_area_all_off_silences_every_kind_in_it_without_javascript(
    member_client, member
):
    page = member_client.get("/notifications/preferences/")
    posted = current_post(page) | {"area-events": "off"}

    response = member_client.post("/notifications/preferences/", posted, follow=True)

    events = [k.code for k in all_kinds() if k.code.startswith("events.")]
    stored = dict(NotificationPreference.objects.filter(user=member).values_list("kind", "channel"))
    assert events and all(stored[code] == "off" for code in events)
    assert not any(code.startswith("community.") for code in stored)  # other areas untouched
    assert checked_choice(response, "area-events") == "off"


def test_a_kind_changed_by_hand_wins_when_its_area_choice_is_left_alone(member_client, member):
    page = member_client.get("/notifications/preferences/")
    posted = current_post(page)
    area = posted["area-other"]  # announcements and webhooks: all "on the site" by default
    posted[ANNOUNCEMENT] = EMAIL

    response = member_client.post("/notifications/preferences/", posted, follow=True)

    assert area == "inapp"
    assert NotificationPreference.objects.get(user=member, kind=ANNOUNCEMENT).channel == EMAIL
    assert current_post(response)["area-other"] == ""  # "as chosen one by one"


def test_preferences_page_asks_a_visitor_to_sign_in(client):
    response = client.get("/notifications/preferences/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- The bell ---------------------------------------------------------------------------------


def bell_count(response) -> str:
    return re.search(r"<span [^>]*data-unread-count[^>]*>(\d+)</span>", response.text).group(1)


def test_header_bell_shows_the_unread_count(member_client, member, site_tree):
    make_notifications(member, 2, read=True)
    make_notifications(member, 3, text="Unread {n}")

    response = member_client.get("/")

    assert bell_count(response) == "3"
    assert "Notifications, 3 unread" in response.text
    assert "Unread 3" in response.text  # the newest in the dropdown


def test_header_bell_hides_the_count_when_everything_is_read(member_client, member, site_tree):
    make_notifications(member, 2, read=True)

    response = member_client.get("/")

    assert re.search(r"<span [^>]*data-unread-count[^>]* hidden>0</span>", response.text)


def test_the_bell_is_kept_until_the_members_notifications_change(member_client, member, site_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hub.notifications.services import mark_all_read, notify

    other = UserFactory(username="ben", display_name="Ben Okafor")
    notify([member], ANNOUNCEMENT, text="First news")
    assert bell_count(member_client.get("/")) == "1"
    with CaptureQueriesContext(connection) as seen:
        page = member_client.get("/")
    assert bell_count(page) == "1"
    assert not [q for q in seen.captured_queries if "notifications_notification" in q["sql"]]

    notify([member], ANNOUNCEMENT, text="Second news")  # shows on the very next page
    page = member_client.get("/")
    assert bell_count(page) == "2" and "Second news" in page.text
    notify([other], ANNOUNCEMENT, text="Only for Ben")  # someone else's bell
    assert "Only for Ben" not in member_client.get("/").text
    mark_all_read(member)
    assert re.search(
        r"<span [^>]*data-unread-count[^>]* hidden>0</span>", member_client.get("/").text
    )


def test_a_deleted_members_name_leaves_the_bells_that_showed_it_at_once(
    member_client, member, site_tree
):
    from hub.accounts.services import delete_account
    from hub.notifications.services import notify

    ben = UserFactory(username="ben", display_name="Ben Okafor")
    notify([member], ANNOUNCEMENT, text="Ben Okafor replied to your post", actor=ben)
    assert "Ben Okafor replied" in member_client.get("/").text
    delete_account(ben)
    page = member_client.get("/").text
    assert "Ben Okafor" not in page and "A former member replied" in page


# --- Query counts -----------------------------------------------------------------------------


def queries_for(client, url, django_assert_max_num_queries, limit) -> int:
    from hub import fragments

    fragments.clear_all()  # the bell rendered afresh each time (it is kept a few seconds)
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [LIST_URL, "/"], ids=["notification list", "page with the bell"])
def test_query_count_does_not_grow_with_the_number_of_notifications(
    url, member_client, member, site_tree, django_assert_max_num_queries
):
    make_notifications(member, 3, actor=UserFactory())
    member_client.get(url)  # warm up: site and navigation lookups that are cached afterwards
    with_three = queries_for(member_client, url, django_assert_max_num_queries, 50)

    make_notifications(member, 57, actor=UserFactory())
    queries_for(member_client, url, django_assert_max_num_queries, with_three)


def test_the_notification_list_is_one_form_whose_buttons_mark_each_read(member_client, member):
    make_notifications(member, 5)
    html = member_client.get(LIST_URL).content.decode()
    page_forms = re.findall(r'<form[^>]*action="/notifications/[^"]*"', html)
    assert len(page_forms) == 2  # the page's, and the bell's "mark all read" in the header
    assert html.count('formaction="/notifications/') == 5
