"""Every admin listing of the hub and its apps searches, filters and exports (CSV and XLSX)
under its own file name."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# (listing, a filter it offers, the export's file name)
LISTINGS = [
    ("/admin/points-ledger/", "kind=award", "points-ledger"),
    ("/admin/points-rules/", "enabled=true", "points-rules"),
    ("/admin/tiers/", "", "tiers"),
    ("/admin/badges/", "action=accounts.email.verified", "badges"),
    ("/admin/perks/", "is_active=true", "perks"),
    ("/admin/perk-codes/", "unused=true", "perk-codes"),
    ("/admin/perk-redemptions/", "created_from=2026-01-01", "perk-redemptions"),
    ("/admin/referrals/", "state=flagged", "referrals"),
    ("/admin/referral-flags/", "created_from=2026-01-01", "referral-flags"),
    ("/admin/announcements/", "created_from=2026-01-01", "announcements"),
    ("/admin/moderation-log/", "destructive=true", "moderation-log"),
    ("/admin/feedback/products/", "live=true", "products"),
    ("/admin/feedback/reviews/", "status=pending", "reviews"),
    ("/admin/feedback/review-queue/", "rating=1", "review-queue"),
    ("/admin/feedback/verified-customers/", "imported_at_from=2026-01-01", "verified-customers"),
    ("/admin/feedback/testimonials/", "featured=true", "testimonials"),
    ("/admin/feedback/ideas/", "status=open", "ideas"),
    ("/admin/feedback/idea-categories/", "", "idea-categories"),
    ("/admin/feedback/surveys/", "opens_at_from=2026-01-01", "nps-surveys"),
    ("/admin/feedback/survey-answers/", "score=10", "nps-answers"),
    ("/admin/event-pages/", "cancelled=true", "events"),
    ("/admin/rsvps/", "status=confirmed", "rsvps"),
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize(("url", "filter_query", "filename"), LISTINGS)
def test_listing_searches_filters_and_exports(admin_client, url, filter_query, filename):
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url + "?q=zzz").status_code == 200
    if filter_query:
        page = admin_client.get(f"{url}?{filter_query}")
        assert page.status_code == 200
    for fmt in ("csv", "xlsx"):
        export = admin_client.get(f"{url}?export={fmt}")
        assert export.status_code == 200, fmt
        assert f'filename="{filename}.{fmt}"' in export["Content-Disposition"]


def test_badge_search_finds_words_of_the_description(admin_client):
    from hub.rewards.models import Badge

    Badge.objects.create(name="Helper", description="Answered ten questions", symbol="★")
    Badge.objects.create(name="Pioneer", description="Joined early", symbol="☆")
    page = admin_client.get("/admin/badges/?q=questions").content.decode()
    assert "Helper" in page and "Pioneer" not in page


def test_perk_and_tier_search_find_part_of_a_word(admin_client):
    from hub.rewards.models import Perk, Tier

    Perk.objects.create(slug="socks", title="Merino socks", cost=10, shared_code="X")
    Perk.objects.create(slug="mug", title="Camp mug", cost=10, shared_code="Y")
    page = admin_client.get("/admin/perks/?q=merin").content.decode()
    assert "Merino socks" in page and "Camp mug" not in page
    Tier.objects.create(name="Trailblazer", threshold=9000, description="Leads the way")
    assert "Trailblazer" in admin_client.get("/admin/tiers/?q=the+way").content.decode()
