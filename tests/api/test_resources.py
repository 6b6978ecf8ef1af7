"""Perks, redemptions, events and RSVPs through the API; cursor pagination; the schema."""

import datetime
import re

import pytest
import yaml
from django.utils import timezone

from events import services as event_services
from hub.rewards import services as rewards
from hub.rewards.models import Perk, PerkCode
from tests import factories
from tests.events.factories import build_event_index, make_event

from .conftest import as_problem

pytestmark = pytest.mark.django_db


def test_perks_list_shows_active_perks_cheapest_first(api, django_assert_max_num_queries):
    Perk.objects.create(title="Cap", slug="cap", cost=300, stock=10)
    Perk.objects.create(title="Sticker", slug="sticker", cost=50)
    Perk.objects.create(title="Old mug", slug="mug", cost=10, is_active=False)
    unique = Perk.objects.create(title="Voucher", slug="voucher", cost=100, code_type=Perk.UNIQUE)
    PerkCode.objects.bulk_create([PerkCode(perk=unique, code=f"V{n}") for n in range(3)])
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/perks/")
    results = response.json()["results"]
    assert [p["slug"] for p in results] == ["sticker", "voucher", "cap"]
    assert [p["left"] for p in results] == [None, 3, 10]


def test_members_redemptions_carry_their_codes(api, django_assert_max_num_queries):
    ana = factories.UserFactory(username="ana", email="ana@example.com")
    rewards.adjust(ana, 500, reason="Gift", by=None)
    shared = Perk.objects.create(title="Sticker", slug="sticker", cost=50, shared_code="HELLO")
    unique = Perk.objects.create(title="Voucher", slug="voucher", cost=100, code_type=Perk.UNIQUE)
    PerkCode.objects.create(perk=unique, code="V-001")
    rewards.redeem_perk(shared, by=ana)
    rewards.redeem_perk(unique, by=ana)
    with django_assert_max_num_queries(3):
        response = api.get(f"/api/v1/members/{ana.pk}/redemptions/")
    results = response.json()["results"]
    assert [(r["perk"]["slug"], r["code"], r["points"]) for r in results] == [
        ("voucher", "V-001", 100),
        ("sticker", "HELLO", 50),
    ]


def test_events_and_their_rsvps(api, site_tree, django_assert_max_num_queries):
    home, _ = site_tree
    index = build_event_index(home)
    soon = make_event(index, title="Trail day", capacity=2)
    make_event(index, title="Night hike", starts_in=datetime.timedelta(days=20))
    make_event(index, title="Draft", publish=False, live=False)
    ana, ben, chen = (factories.UserFactory(username=n) for n in ("ana", "ben", "chen"))
    event_services.register_rsvp(soon, by=ana, guests=0)
    event_services.register_rsvp(soon, by=ben)
    event_services.register_rsvp(soon, by=chen)
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/events/")
    events = response.json()["results"]
    assert [e["title"] for e in events] == ["Trail day", "Night hike"]
    assert events[0]["seats_taken"] == 2
    assert events[0]["waitlisted"] == 1
    assert events[0]["url"].endswith("/events/trail-day/")
    with django_assert_max_num_queries(6):
        rsvps = api.get(f"/api/v1/events/{soon.pk}/rsvps/").json()["results"]
    assert [(r["member"]["username"], r["status"]) for r in rsvps] == [
        ("ana", "confirmed"),
        ("ben", "confirmed"),
        ("chen", "waitlisted"),
    ]
    waiting = api.get(f"/api/v1/events/{soon.pk}/rsvps/", {"status": "waitlisted"}).json()
    assert [r["member"]["username"] for r in waiting["results"]] == ["chen"]


def test_events_filter_by_start(api, site_tree):
    home, _ = site_tree
    index = build_event_index(home)
    make_event(index, title="Soon", starts_in=datetime.timedelta(days=2))
    make_event(index, title="Later", starts_in=datetime.timedelta(days=30))
    cut = (timezone.now() + datetime.timedelta(days=10)).isoformat()
    after = api.get("/api/v1/events/", {"starts_after": cut}).json()["results"]
    before = api.get("/api/v1/events/", {"starts_before": cut}).json()["results"]
    assert [e["title"] for e in after] == ["Later"]
    assert [e["title"] for e in before] == ["Soon"]
    bad = api.get("/api/v1/events/", {"starts_after": "next tuesday"})
    assert bad.status_code == 400
    assert "starts_after" in as_problem(bad)["errors"]


def test_cursor_pagination_walks_every_row_once(api):
    ana = factories.UserFactory(username="ana")
    for n in range(7):
        rewards.adjust(ana, n + 1, reason=f"Gift {n}", by=None)
    seen, url, pages = [], f"/api/v1/members/{ana.pk}/points/?limit=3", 0
    while url:
        page = api.get(url).json()
        seen += [e["points"] for e in page["results"]]
        url, pages = page["next"], pages + 1
        # A new entry arriving while paging does not shift the pages already handed out.
        if pages == 1:
            rewards.adjust(ana, 100, reason="Late gift", by=None)
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    assert pages == 3


def test_limit_is_capped(api):
    ana = factories.UserFactory(username="ana")
    response = api.get(f"/api/v1/members/{ana.pk}/points/?limit=100000")
    assert response.status_code == 200


def test_schema_is_a_valid_openapi_3_document(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/members/lookup/",
        "/api/v1/members/{id}/points/",
        "/api/v1/perks/",
        "/api/v1/events/",
        "/api/v1/events/{id}/rsvps/",
        "/api/v1/orders/",
    ]:
        assert path in paths
    assert not any(p.startswith("/admin/") for p in paths)
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    award = paths["/api/v1/members/{id}/points/"]["post"]
    assert "points:write" in award["description"]
    assert "application/problem+json" in award["responses"]["403"]["content"]


def test_docs_are_served_from_the_installed_package(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    # The site's Content-Security-Policy allows no inline script: the start-up script is a file.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html).group(1)
    assert client.get(script.replace("&amp;", "&")).status_code == 200


def test_schema_command_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi: 3")
