"""Each dashboard figure, computed exactly on a small known data set."""

from datetime import date, timedelta

import pytest

from hub.rewards.models import Perk, PointsEntry, Redemption, Referral
from hub.workspace import kpis
from tests.workspace.factories import at, member_joined

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def community():
    """Five members, one staff account; who was active when:

    ana  joined 100 days ago; active today, 10 and 40 days ago  (both periods)
    ben  joined   2 days ago; active 3 days ago                (this period, new)
    chen joined  15 days ago; active 20 and 45 days ago         (both periods)
    dara joined 200 days ago; active 50 days ago               (previous period only: churned)
    eve  joined   5 days ago; never active
    staff (is_staff) active today: never counted
    """
    member_joined("ana", ago(100), active=(ago(0), ago(10), ago(40)))
    member_joined("ben", ago(2), active=(ago(3),))
    member_joined("chen", ago(15), active=(ago(20), ago(45)))
    member_joined("dara", ago(200), active=(ago(50),))
    member_joined("eve", ago(5))
    member_joined("staff", ago(1), active=(ago(0), ago(40)), is_staff=True)


def test_active_members_in_the_last_7_and_30_days(community):
    figures = kpis.engagement(TODAY)
    assert figures["active_7"] == 2  # ana, ben
    assert figures["active_30"] == 3  # ana, ben, chen


def test_new_members_and_members_in_all(community):
    figures = kpis.engagement(TODAY)
    assert figures["new_7"] == 2  # ben, eve
    assert figures["new_30"] == 3  # ben, chen, eve
    assert figures["members"] == 5  # the staff account is not a member


def test_repeat_engagement_is_the_share_of_this_periods_actives_also_active_before(community):
    figures = kpis.engagement(TODAY)
    assert figures["active_previous_period"] == 3  # ana, chen, dara
    assert figures["active_both_periods"] == 2  # ana, chen
    assert figures["repeat_engagement"] == 66.7  # 2 of 3


def test_churn_is_the_share_of_the_previous_periods_actives_who_did_not_return(community):
    figures = kpis.engagement(TODAY)
    assert figures["churned"] == 1  # dara
    assert figures["churn"] == 33.3  # 1 of 3


def test_shares_are_empty_rather_than_zero_without_anyone_to_count(db):
    figures = kpis.engagement(TODAY)
    assert figures["repeat_engagement"] is None
    assert figures["churn"] is None


def test_daily_active_counts_each_of_the_last_30_days(community):
    days = kpis.daily_active(TODAY)
    assert len(days) == 30
    assert days[0]["day"] == ago(29).isoformat()
    assert days[-1] == {"day": TODAY.isoformat(), "active": 1}  # ana (staff not counted)
    by_day = {d["day"]: d["active"] for d in days}
    assert by_day[ago(3).isoformat()] == 1
    assert by_day[ago(20).isoformat()] == 1
    assert sum(by_day.values()) == 4


def test_retention_by_sign_up_month(db):
    member_joined("may1", date(2026, 5, 3), active=(date(2026, 5, 5), date(2026, 6, 1)))
    member_joined("may2", date(2026, 5, 20), active=(date(2026, 5, 21),))
    member_joined("june", date(2026, 6, 2), active=(date(2026, 6, 3), date(2026, 6, 10)))
    member_joined("april", date(2026, 4, 30), active=(date(2026, 6, 3),))

    rows = kpis.cohorts(TODAY, months=3)

    assert [r["month"] for r in rows] == ["2026-04", "2026-05", "2026-06"]
    april, may, june = rows
    assert april["size"] == 1
    assert [c["share"] for c in april["retained"]] == [0.0, 0.0, 100.0]
    assert may["size"] == 2
    assert [(c["active"], c["share"]) for c in may["retained"]] == [(2, 100.0), (1, 50.0)]
    assert june["size"] == 1
    assert [(c["active"], c["share"]) for c in june["retained"]] == [(1, 100.0)]


def test_a_month_nobody_joined_has_no_shares(db):
    rows = kpis.cohorts(TODAY, months=2)
    assert rows[0] == {
        "month": "2026-05",
        "size": 0,
        "retained": [{"active": 0, "share": None}, {"active": 0, "share": None}],
    }


def test_referral_conversions_of_the_last_30_days(db):
    referrer = member_joined("host", ago(300))
    states = [Referral.QUALIFIED, Referral.QUALIFIED, Referral.PENDING, Referral.FLAGGED]
    for n, state in enumerate(states):
        Referral.objects.create(
            referrer=referrer, referred=member_joined(f"f{n}", ago(1)), state=state
        )
    old = Referral.objects.create(
        referrer=referrer, referred=member_joined("old", ago(90)), state=Referral.QUALIFIED
    )
    Referral.objects.filter(pk=old.pk).update(created=at(ago(60)))

    figures = kpis.referrals(date.today())

    assert figures == {
        "signed_up": 4,
        "qualified": 2,
        "flagged": 1,
        "rejected": 0,
        "conversion": 50.0,
    }


def test_perk_redemptions_of_the_last_30_days(db):
    mug = Perk.objects.create(title="Mug", slug="mug", cost=100)
    socks = Perk.objects.create(title="Socks", slug="socks", cost=40)
    buyer = member_joined("buyer", ago(300))
    for perk in (mug, mug, socks):
        Redemption.objects.create(perk=perk, user=buyer, points=perk.cost)
    old = Redemption.objects.create(perk=socks, user=buyer, points=40)
    Redemption.objects.filter(pk=old.pk).update(created=at(ago(45)))

    figures = kpis.redemptions(date.today())

    assert figures["count"] == 3
    assert figures["points"] == 240
    assert figures["top"] == [{"perk": "Mug", "count": 2}, {"perk": "Socks", "count": 1}]


def test_points_by_action_per_month(db):
    member = member_joined("ana", ago(300))

    def entry(action, points, day, kind=PointsEntry.AWARD):
        row = PointsEntry.objects.create(
            user=member, action=action, points=points, kind=kind, source_id=f"{action}{day}{points}"
        )
        PointsEntry.objects.filter(pk=row.pk).update(created=at(day))

    entry("accounts.email.verified", 10, date(2026, 5, 2))
    entry("accounts.email.verified", 10, date(2026, 6, 2))
    entry("accounts.email.verified", -10, date(2026, 6, 3), kind=PointsEntry.REVERSAL)
    entry("accounts.profile.completed", 20, date(2026, 6, 4))
    entry("accounts.profile.completed", 20, date(2026, 1, 4))  # before the report's months

    report = kpis.points_by_action(TODAY, months=2)

    assert report["months"] == ["2026-05", "2026-06"]
    by_action = {row["action"]: row for row in report["actions"]}
    verified = by_action["accounts.email.verified"]
    assert verified["label"] == "Verified e-mail address"
    assert verified["cells"] == [{"points": 10, "entries": 1}, {"points": 0, "entries": 2}]
    assert by_action["accounts.profile.completed"]["cells"][1] == {"points": 20, "entries": 1}
    assert report["totals"] == [10, 20]


def test_figures_are_cached_so_a_second_read_costs_no_query(community, django_assert_num_queries):
    kpis.engagement(TODAY)
    kpis.cohorts(TODAY)
    with django_assert_num_queries(0):
        assert kpis.engagement(TODAY)["active_30"] == 3
        kpis.cohorts(TODAY)
