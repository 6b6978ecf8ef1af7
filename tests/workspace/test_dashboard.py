"""The KPI dashboard on the Wagtail admin home, the panels apps register, and the KPI export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from hub.rewards import services as rewards_services
from hub.rewards.models import Perk, Redemption, Referral
from hub.workspace.models import MemberActivity
from tests.factories import UserFactory
from tests.workspace.factories import member_joined

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def kpi(html: str, key: str) -> str:
    """The big number of the figure ``key`` on the dashboard."""
    start = html.index(f'data-kpi="{key}"')
    value_start = html.index('class="ws-stat__value">', start) + len('class="ws-stat__value">')
    return html[value_start : html.index("</span>", value_start)].strip()


@pytest.fixture
def community(db):
    member_joined("ana", days_ago(100), active=(days_ago(0), days_ago(10), days_ago(40)))
    member_joined("ben", days_ago(2), active=(days_ago(3),))
    member_joined("chen", days_ago(15), active=(days_ago(20), days_ago(45)))
    member_joined("dara", days_ago(200), active=(days_ago(50),))


def test_editor_sees_the_figures_on_the_admin_home(editor_client, community):
    html = editor_client.get("/admin/").content.decode()
    assert "Is the community building loyalty?" in html
    assert kpi(html, "active_7") == "2"
    assert kpi(html, "active_30") == "3"
    assert kpi(html, "new_30") == "2"
    assert kpi(html, "repeat_engagement") == "66.7 %"
    assert kpi(html, "churn") == "33.3 %"
    assert "churn: 1 member active in the previous 30 days did not come back" in html


def test_charts_are_inline_svg_with_a_title_a_description_and_the_numbers(editor_client, community):
    html = editor_client.get("/admin/").content.decode()
    assert '<svg viewBox="0 0 600 180" role="img"' in html
    assert "<title id=" in html and "Active members per day</title>" in html
    assert "<desc id=" in html
    assert "Show the numbers" in html
    assert "<script src=" not in html.split('class="ws-dashboard"')[1].split("</section>")[0]


def test_dashboard_lists_top_contributors_referrals_and_redemptions(editor_client, community):
    from django.contrib.auth import get_user_model

    ana = get_user_model().objects.get(username="ana")
    rewards_services.adjust(ana, 70, reason="Trail day", by=None)
    referrer = UserFactory(username="host")
    Referral.objects.create(referrer=referrer, referred=UserFactory(), state=Referral.QUALIFIED)
    Referral.objects.create(referrer=referrer, referred=UserFactory(), state=Referral.PENDING)
    mug = Perk.objects.create(title="Trail mug", slug="mug", cost=50)
    Redemption.objects.create(perk=mug, user=ana, points=50)

    html = editor_client.get("/admin/").content.decode()
    assert "(@<bdi>ana</bdi>)" in html
    assert "70 points" in html
    assert "1 of 2 referred sign-ups qualified" in html
    assert "50 %" in html.split('data-kpi="referrals"')[1]
    assert "redemption, 50 points spent" in html
    assert "<bdi>Trail mug</bdi>: 1" in html


def test_dashboard_shows_pending_moderation_per_source(editor_client, register_source):
    author = UserFactory()
    register_source(posts={1: {"title": "x", "body": "y", "author": author, "reason": "z"}})
    html = editor_client.get("/admin/").content.decode()
    pending = html.split('data-kpi="pending"')[1].split("</section>")[0]
    assert "Forum posts</a>: <strong>1</strong>" in pending
    assert "1 item waiting in the moderation queue" in pending


def test_registered_panels_are_rendered_on_the_dashboard(editor_client, register_panel):
    register_panel("feedback.nps", "NPS trend", context=lambda: {"score": 42, "responses": 17})
    html = editor_client.get("/admin/").content.decode()
    assert "NPS trend" in html
    assert '<p data-test-panel="feedback.nps">NPS 42 from 17 answers</p>' in html


def test_a_failing_panel_shows_a_notice_and_the_home_still_works(editor_client, register_panel):
    def broken():
        raise RuntimeError("the feedback database is down")

    register_panel("events.upcoming", "Upcoming events", context=broken)
    response = editor_client.get("/admin/")
    assert response.status_code == 200
    assert "These figures could not be loaded just now." in response.content.decode()


def test_panels_with_a_permission_are_hidden_from_others(editor_client, register_panel):
    register_panel(
        "secret",
        "Secret figures",
        context=lambda: {"score": 1, "responses": 1},
        permission="auth.delete_user",
    )
    assert "Secret figures" not in editor_client.get("/admin/").content.decode()


def test_moderators_do_not_see_the_kpis(moderator_client, community):
    html = moderator_client.get("/admin/").content.decode()
    assert "Is the community building loyalty?" not in html
    assert moderator_client.get("/admin/workspace/kpis.csv").status_code == 302


def test_kpi_export_is_a_csv_of_every_figure(editor_client, community, register_panel):
    register_panel("feedback.nps", "NPS trend", context=lambda: {"score": 42, "responses": 17})
    response = editor_client.get("/admin/workspace/kpis.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Section", "Figure", "Value"]
    figures = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert figures[("Engagement", "Active members, last 7 days")] == "2"
    assert figures[("Engagement", "Repeat engagement (%)")] == "66.7"
    assert figures[("Engagement", "Churn (%)")] == "33.3"
    assert figures[("NPS trend", "score")] == "42"


def test_dashboard_query_count_is_bounded_on_a_larger_data_set(
    editor_client, django_assert_max_num_queries
):
    member_joined("first", days_ago(40), active=(days_ago(1),))
    editor_client.get("/admin/")  # warm Wagtail's own lookups
    from django.core.cache import cache

    cache.clear()
    # 60 before the shop's purchases panel, whose KPIs take 7 more when nothing is cached.
    with django_assert_max_num_queries(67) as small:
        editor_client.get("/admin/")

    users = [
        UserFactory.build(username=f"bulk{n}", email=f"bulk{n}@example.com") for n in range(150)
    ]
    from django.contrib.auth import get_user_model

    get_user_model().objects.bulk_create(users)
    ids = list(
        get_user_model().objects.filter(username__startswith="bulk").values_list("pk", flat=True)
    )
    MemberActivity.objects.bulk_create(
        [MemberActivity(user_id=pk, day=days_ago(d)) for pk in ids for d in range(0, 60, 7)]
    )
    referrer = get_user_model().objects.get(username="first")
    Referral.objects.bulk_create([Referral(referrer=referrer, referred_id=pk) for pk in ids[:60]])
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = editor_client.get("/admin/").content.decode()
    assert kpi(html, "active_30") == "151"


def test_a_cached_dashboard_needs_no_kpi_query(
    editor_client, community, django_assert_max_num_queries
):
    editor_client.get("/admin/")
    with django_assert_max_num_queries(60) as captured:
        editor_client.get("/admin/")
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "workspace_memberactivity" not in sql
    assert "rewards_referral" not in sql
