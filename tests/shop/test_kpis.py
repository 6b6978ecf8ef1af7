"""Every purchase KPI, exact on a known data set; the report and the dashboard panel show them."""

from datetime import UTC, date, datetime

import pytest

from hub.rewards import services as rewards
from hub.rewards.actions import register_action
from hub.rewards.models import PointsEntry, Referral
from hub.shop import kpis
from hub.shop.services import ingest_order_event
from tests.shop.helpers import envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)  # the period: 2025-06-16 … 2026-06-15


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def data_set():
    """ana and chen contributed in the period (community members); ben did not; g1 and g2 have
    no account. chen joined through ana's share link."""
    shop = make_shop()[0]
    ana, _ben = verified_member("ana"), verified_member("ben")
    rewards.referral_code_for(ana)
    chen = verified_member("chen")
    rewards.record_referral(chen, code=ana.referral_code)
    assert Referral.objects.get(referred=chen).state == Referral.QUALIFIED
    register_action("community.post.created", "Posted", default_points=2)
    for member in (ana, chen):
        rewards.award(member, "community.post.created", source=member)
    PointsEntry.objects.filter(action="community.post.created").update(created=at(2026, 5, 1))

    def order(number, email, total, when, kind="order.paid", **kwargs):
        ingest_order_event(
            shop, envelope(str(number), email, total, kind=kind, placed=when, **kwargs)
        )

    order(1, "ana@example.com", "100.00", at(2026, 6, 10))
    order(2, "ana@example.com", "50.00", at(2026, 5, 20))
    order(3, "ana@example.com", "30.00", at(2025, 1, 10))  # before the period
    order(4, "ben@example.com", "80.00", at(2026, 3, 1))
    order(
        4,
        "ben@example.com",
        "80.00",
        at(2026, 3, 1),
        kind="order.partially_refunded",
        refunded="20.00",
    )
    order(5, "chen@example.com", "40.00", at(2026, 6, 1))
    order(6, "chen@example.com", "99.00", at(2026, 6, 2), kind="order.cancelled")
    order(7, "g1@example.net", "20.00", at(2026, 4, 10))
    order(8, "g1@example.net", "30.00", at(2026, 5, 5))
    order(9, "g2@example.net", "200.00", at(2025, 12, 1), kind="order.refunded")
    order(10, "g2@example.net", "10.00", at(2025, 8, 1))
    order(11, "g3@example.net", "15.00", at(2026, 6, 1), kind="order.created")  # never paid
    return shop


def test_overall_figures(data_set):
    figures = kpis.compute(TODAY, churn_days=90)
    assert figures["all"] == {
        "customers": 5,
        "repeat_customers": 2,
        "repeat_rate": 40.0,
        "orders": 7,
        "frequency": 1.4,
        "revenue": 310.0,
        "average_order_value": 44.29,
        "customers_to_date": 5,
        "revenue_to_date": 340.0,
        "lifetime_value": 68.0,
        "churned": 2,
        "churn": 40.0,
    }


def test_community_members_vs_other_customers(data_set):
    figures = kpis.compute(TODAY, churn_days=90)
    assert figures["community"] == {
        "customers": 2,
        "repeat_customers": 1,
        "repeat_rate": 50.0,
        "orders": 3,
        "frequency": 1.5,
        "revenue": 190.0,
        "average_order_value": 63.33,
        "customers_to_date": 2,
        "revenue_to_date": 220.0,
        "lifetime_value": 110.0,
        "churned": 0,
        "churn": 0.0,
    }
    assert figures["others"] == {
        "customers": 3,
        "repeat_customers": 1,
        "repeat_rate": 33.3,
        "orders": 4,
        "frequency": 1.33,
        "revenue": 120.0,
        "average_order_value": 30.0,
        "customers_to_date": 3,
        "revenue_to_date": 120.0,
        "lifetime_value": 40.0,
        "churned": 2,
        "churn": 66.7,
    }


def test_churn_follows_the_editors_number_of_days(data_set):
    # In the last 30 days only ana and chen bought: ben, g1 and g2 have churned.
    assert kpis.compute(TODAY, churn_days=30)["all"]["churned"] == 3


def test_referral_revenue(data_set):
    assert kpis.compute(TODAY, churn_days=90)["referral"] == {
        "revenue": 40.0,
        "orders": 1,
        "customers": 1,
        "share": 12.9,
    }


def test_retention_by_first_order_month(data_set):
    cohorts = kpis.compute(TODAY, churn_days=90)["cohorts"]
    assert [(row["month"], row["size"]) for row in cohorts] == [
        ("2026-01", 0),
        ("2026-02", 0),
        ("2026-03", 1),
        ("2026-04", 1),
        ("2026-05", 0),
        ("2026-06", 1),
    ]
    march, april = cohorts[2], cohorts[3]
    assert [cell["share"] for cell in march["retained"]] == [100.0, 0.0, 0.0, 0.0]
    assert [cell["share"] for cell in april["retained"]] == [100.0, 100.0, 0.0]
    assert cohorts[0]["retained"] == [{"active": 0, "share": None}] * 6


def test_revenue_per_month(data_set):
    monthly = {row["month"]: row for row in kpis.compute(TODAY, churn_days=90)["monthly"]}
    assert len(monthly) == 12
    assert monthly["2026-06"] == {"month": "2026-06", "orders": 2, "revenue": 140.0, "customers": 2}
    assert monthly["2026-05"] == {"month": "2026-05", "orders": 2, "revenue": 80.0, "customers": 2}
    assert monthly["2026-03"]["revenue"] == 60.0
    assert monthly["2025-08"]["revenue"] == 10.0
    assert monthly["2025-12"]["orders"] == 0  # the refunded order is not a purchase


def test_a_fixed_number_of_queries(data_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        kpis.compute(TODAY, churn_days=90)


def test_no_orders_give_empty_figures_not_errors(db):
    figures = kpis.compute(TODAY, churn_days=90)
    assert figures["all"]["customers"] == 0 and figures["all"]["repeat_rate"] is None


def test_figures_are_cached_and_dropped(data_set, django_assert_max_num_queries):
    first = kpis.purchase_kpis(TODAY)
    with django_assert_max_num_queries(2):  # the programme's settings only
        assert kpis.purchase_kpis(TODAY) == first
    kpis.drop_cache(TODAY)
    with django_assert_max_num_queries(8):
        kpis.purchase_kpis(TODAY)
