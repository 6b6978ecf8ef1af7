"""Reports: retention cohorts, points by action over time; the bench seeder and the demo data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.bench import bench_pages, bench_seeders
from hub.rewards import services
from hub.workspace import kpis
from hub.workspace.demo import seed_activity
from hub.workspace.models import MemberActivity
from tests.conftest import on_postgres
from tests.factories import UserFactory
from tests.workspace.factories import member_joined

pytestmark = pytest.mark.django_db


def test_retention_report_shows_twelve_sign_up_months(editor_client):
    this_month = kpis.month_start(timezone.localdate())
    member_joined("ana", this_month, active=(this_month,))
    html = editor_client.get("/admin/workspace/reports/retention/").content.decode()
    table = html.split('class="listing ws-cohorts"')[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 12, table
    assert f'<th scope="row">{this_month:%Y-%m}</th>' in html
    assert "100 %" in html


def test_points_report_shows_points_per_action_and_month(editor_client, member):
    services.award(member, "accounts.email.verified", source=UserFactory())
    services.award(member, "accounts.profile.completed", source=member)
    html = editor_client.get("/admin/workspace/reports/points/").content.decode()
    row = html.split('data-action="accounts.email.verified"')[1].split("</tr>")[0]
    assert "Verified e-mail address" in row
    assert "<strong>10</strong>" in row
    assert "Points given per month</title>" in html
    month = timezone.localdate().strftime("%Y-%m")
    assert f'<th scope="row">{month}</th><td>30</td>' in html.replace("\n", "")


def test_reports_refuse_plain_members(member_client):
    assert member_client.get("/admin/workspace/reports/points/").status_code == 302


def test_bench_registers_the_dashboard_and_the_queue_as_the_superuser():
    pages = {page.name: page for page in bench_pages()}
    assert pages["admin dashboard (KPIs)"].resolve() == "/admin/"
    assert pages["admin dashboard (KPIs)"].as_user == "superuser"
    assert pages["moderation queue"].resolve() == "/admin/moderation/"
    assert "workspace activity" in {s.name for s in bench_seeders()}


@pytest.mark.postgres
def test_bench_seeder_fills_activity_at_tiny_scale_and_is_idempotent():
    from hub.workspace.bench import seed_bench_activity

    for n in range(120):
        UserFactory.build(username=f"bench-adv-{n:06d}").save()
    lines = []
    seed_bench_activity(lines.append, 0.001)
    rows = MemberActivity.objects.count()
    assert rows > 100
    assert MemberActivity.objects.filter(day__gt=timezone.localdate()).count() == 0
    seed_bench_activity(lines.append, 0.001)
    assert MemberActivity.objects.count() == rows
    assert on_postgres()


def test_demo_activity_is_idempotent(db):
    for username in ("ana", "ben", "chen", "dara"):
        UserFactory(username=username)
    seed_activity(print)
    rows = MemberActivity.objects.count()
    assert rows > 50
    seed_activity(print)
    assert MemberActivity.objects.count() == rows
    figures = kpis.engagement()
    assert figures["active_30"] == 4
    from hub.rewards.models import Referral

    assert Referral.objects.get(referred__username="ben.outdoors").state == Referral.FLAGGED
    earliest = MemberActivity.objects.order_by("day").first().day
    assert earliest >= timezone.localdate() - timedelta(days=150)
