"""Bad input gets a clear 4xx in the site's layout, never a 500; sockets survive bad frames; every
page carries the Content-Security-Policy (issue 13, items 7, 12, 16)."""

import datetime

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from community import services as community
from events import services as events
from hub.asgi import application
from tests.community.factories import make_topic
from tests.events.factories import build_event_index, make_event
from tests.factories import build_site_tree, session_cookie

HUGE = 2**64


# --- Search boxes take words ---------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ['"unterminated', 'a"b', "javascript: alert(1)", "NEAR(a b)", "a > b", "*", "col:val"]
)
def test_search_terms_are_words_not_query_syntax(client, ana, category, limits, query):
    for url in (reverse("search"), reverse("community:search")):
        assert client.get(url, {"q": query}).status_code == 200


@pytest.mark.django_db
def test_search_still_finds_the_words_inside_syntax(client, ana, category, limits):
    community.create_topic(category=category, by=ana, title="Waxing boots", body="Use beeswax")
    page = client.get(reverse("community:search"), {"q": '"beeswax*'}).content.decode()
    assert "Waxing boots" in page


@pytest.mark.django_db
def test_a_nul_byte_in_a_search_box_is_a_400_in_the_site_layout(client, site_tree):
    response = client.get(reverse("search"), {"q": "boots\x00"})
    assert response.status_code == 400
    assert '<main id="main"' in response.content.decode()


@pytest.mark.django_db
def test_the_admin_search_boxes_take_words(client, site_tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in ("/admin/pages/search/", "/admin/images/"):
        assert client.get(url, {"q": '"unterminated AND ('}).status_code == 200


# --- Ids and digits ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_ids_beyond_64_bits_are_404(client, site_tree, ana, category):
    topic = make_topic(category, ana)
    client.force_login(ana)
    for url in (
        f"/events/{HUGE}/event.ics",
        f"/community/t/{HUGE}/a-topic/",
        f"/community/p/{HUGE}/flag/",
        f"/community/comments/{HUGE}/flag/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(topic.get_absolute_url(), {"quote": str(HUGE)}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("digits", ["²", "¹²", "٣"])
def test_unicode_digits_in_quote_and_admin_filters_are_ignored(client, ana, category, digits):
    from tests.factories import UserFactory

    topic = make_topic(category, ana)
    client.force_login(ana)
    assert client.get(topic.get_absolute_url(), {"quote": digits}).status_code == 200
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/perks/", {"perk": digits, "min_tier": digits}).status_code < 500
    assert client.get(reverse("community-flags:index"), {"post": digits}).status_code < 500


@pytest.mark.django_db
def test_admin_edit_urls_with_a_non_number_id_are_4xx(client, site_tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for pk in (str(HUGE), "²", "abc"):
        assert client.get(f"/admin/perks/edit/{pk}/").status_code in (400, 404)


# --- next= --------------------------------------------------------------------------------------
@pytest.fixture
def booked(db, ana):
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), starts_in=datetime.timedelta(days=3))
    events.register_rsvp(event, by=ana)
    return event


@pytest.mark.parametrize(
    "target", ["word", "https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_rsvp_cancel_form_follows_only_paths_on_this_site(client, ana, booked, target):
    client.force_login(ana)
    response = client.post(reverse("events:cancel", args=[booked.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"].startswith(booked.url)


def test_the_rsvp_cancel_form_follows_a_path_on_this_site(client, ana, booked):
    client.force_login(ana)
    response = client.post(reverse("events:cancel", args=[booked.pk]), {"next": "/events/mine/"})
    assert response["Location"] == "/events/mine/"


@pytest.mark.django_db
def test_a_plain_word_next_on_other_forms_is_no_500(client, ana, category):
    topic = make_topic(category, ana)
    client.force_login(ana)
    url = reverse("community:subscribe_topic", args=[topic.pk])
    assert client.post(url, {"level": "watch", "next": "home"}).status_code == 302
    assert client.post(reverse("notifications:mark_all_read"), {"next": "home"}).status_code == 302


# --- Paths, bodies and fields --------------------------------------------------------------------
@pytest.mark.django_db
def test_a_very_long_media_path_is_404(client):
    assert client.get("/media/" + "a/" * 3000 + "x.png").status_code == 404
    assert client.get("/media/" + "a" * 5000).status_code == 404


@pytest.mark.django_db
def test_a_malformed_multipart_body_is_a_400_in_the_site_layout(site_tree, ana):
    client = Client()
    client.force_login(ana)
    response = client.post(
        reverse("accounts:profile_edit"),
        data=b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nbroken',
        content_type="multipart/form-data",  # no boundary
    )
    assert response.status_code == 400
    assert '<main id="main"' in response.content.decode()


@pytest.mark.django_db
def test_too_many_fields_is_a_400(site_tree, ana, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client = Client()
    client.force_login(ana)
    response = client.post(reverse("accounts:profile_edit"), {f"f{n}": "x" for n in range(60)})
    assert response.status_code == 400
    assert '<main id="main"' in response.content.decode()


@pytest.mark.django_db
def test_a_body_above_the_limit_is_refused_from_its_content_length(client, ana, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(ana)
    response = client.post(reverse("accounts:profile_edit"), {"bio": "x" * 2000})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


# --- Content-Security-Policy ---------------------------------------------------------------------
@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_inline_script(client, site_tree):
    for url in ("/", reverse("community:index"), reverse("search"), "/nowhere/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline' " not in policy.split("style")[0]
        assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


@pytest.mark.django_db
def test_the_admin_has_an_enforced_policy_and_a_strict_report_only_one(client, site_tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy-Report-Only"].startswith("default-src 'self'")
    assert "script-src 'self';" in response["Content-Security-Policy-Report-Only"]


# --- WebSockets -----------------------------------------------------------------------------------
def _socket(path, session, origin=b"http://testserver", host=b"testserver"):
    headers = [(b"origin", origin), (b"host", host), (b"cookie", f"sessionid={session}".encode())]
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        '{"type": "hello", "last_id": Infinity}',
        '{"type": "hello", "last_id": NaN}',
        '{"type": "hello", "last_id": 1e400}',
        '{"type": "hello", "last_id": 18446744073709551616}',
        '{"type": "hello", "last_id": "x"}',
        '{"type": "hello", "last_id": [1]}',
        '{"type": 5}',
        "[1, 2]",
        '"hello"',
    ],
)
async def test_a_malformed_frame_is_answered_and_the_socket_stays_open(frame):
    from channels.db import database_sync_to_async

    from tests.factories import UserFactory

    user = await database_sync_to_async(UserFactory)()
    session = await database_sync_to_async(session_cookie)(user)
    socket = _socket("/ws/notifications/", session)
    connected, _ = await socket.connect(timeout=3)
    assert connected
    await socket.send_to(text_data=frame)
    assert (await socket.receive_json_from(timeout=3))["type"] == "error"
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from(timeout=3))["type"] == "error"
    await socket.send_json_to({"type": "hello", "last_id": 0})
    assert (await socket.receive_json_from(timeout=3))["type"] == "sync"
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_topic_socket_answers_a_bad_frame_and_stays_open():
    from channels.db import database_sync_to_async

    from tests.community.factories import make_category
    from tests.factories import UserFactory

    def setup():
        user = UserFactory()
        topic = make_topic(make_category("t"), user)
        return session_cookie(user), topic.pk

    session, topic_id = await database_sync_to_async(setup)()
    socket = _socket(f"/ws/community/topics/{topic_id}/", session)
    connected, _ = await socket.connect(timeout=3)
    assert connected
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from(timeout=3))["type"] == "error"
    await socket.send_to(text_data='{"type": "ping"}')
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (b"http://testserver:8000", b"testserver:8000", True),
        (b"http://testserver:9999", b"testserver:8000", False),
        (b"http://testserver:8000", b"testserver", False),
        (b"https://testserver", b"testserver", True),
        (b"http://evil.example:8000", b"testserver:8000", False),
        (b"null", b"testserver", False),
    ],
)
async def test_the_websocket_origin_check_compares_the_port(origin, host, allowed):
    from hub.origins import origin_allowed

    scope = {"type": "websocket", "headers": [(b"origin", origin), (b"host", host)]}
    assert origin_allowed(scope) is allowed
