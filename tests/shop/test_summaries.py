"""The per-customer purchase summaries the ingestion keeps equal what a rebuild from the orders
gives, after every kind of event; the KPIs read from them equal the KPIs computed from every
order; and a new purchase updates them in place, in a bounded number of statements."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.rewards import services as rewards
from hub.rewards.actions import register_action
from hub.shop import kpis, summaries
from hub.shop.models import CustomerMonth, CustomerSummary, Order
from hub.shop.services import ingest_order_event
from tests.factories import UserFactory
from tests.shop.helpers import envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db


def assert_summaries_match_a_rebuild():
    kept = summaries.snapshot()
    summaries.rebuild()
    assert summaries.snapshot() == kept
    return kept


NOW = timezone.now().replace(microsecond=0)


def days_ago(days):
    return NOW - timedelta(days=days)


@pytest.fixture
def mixed_orders():
    """Members and addresses without an account; every kind of event, in and out of order."""
    shop = make_shop()[0]
    ana, _ben = verified_member("ana"), verified_member("ben")
    register_action("community.post.created", "Posted", default_points=2)
    rewards.award(ana, "community.post.created", source=ana)

    def event(number, email, total, days, kind="order.paid", **kwargs):
        ingest_order_event(
            shop,
            envelope(str(number), email, total, kind=kind, placed=days_ago(days), **kwargs),
        )

    event(1, "ana@example.com", "100.00", 3)
    event(2, "ana@example.com", "50.00", 40)
    event(2, "ana@example.com", "50.00", 40, kind="order.partially_refunded", refunded="10.00")
    event(2, "ana@example.com", "50.00", 40, kind="order.partially_refunded", refunded="15.00")
    event(3, "ana@example.com", "30.00", 400)  # before the period
    event(4, "ana@example.com", "70.00", 2)
    event(4, "ana@example.com", "70.00", 2, kind="order.refunded")  # her latest, gone
    event(5, "ben@example.com", "80.00", 200, kind="order.created")  # never paid
    event(6, "ben@example.com", "60.00", 10)
    event(6, "ben@example.com", "60.00", 10, kind="order.cancelled")
    event(7, "ben@example.com", "20.00", 10)
    # A refund arriving before the payment; the payment again, under another id.
    event(8, "ben@example.com", "90.00", 5, kind="order.partially_refunded", refunded="30.00")
    event(8, "ben@example.com", "90.00", 5)
    event(9, "g1@example.net", "25.00", 100)
    event(10, "g1@example.net", "35.00", 100)  # two at the same time
    event(11, "g2@example.net", "200.00", 50)
    event(11, "g2@example.net", "200.00", 50, kind="order.refunded")
    event(12, "g2@example.net", "15.00", 20, kind="order.created")
    event(12, "g2@example.net", "15.00", 20)  # paid later
    event(13, "chen@example.com", "45.00", 30)  # chen signs up later
    event(14, "chen@example.com", "55.00", 1)
    return shop


def test_the_kept_summaries_equal_a_rebuild_after_every_kind_of_event(mixed_orders):
    kept = assert_summaries_match_a_rebuild()
    ana = CustomerSummary.objects.get(member__username="ana")
    # 100 + (50 - 15) + 30; the refunded order 4 is not a purchase
    assert (ana.purchases, ana.revenue) == (3, 165)
    placed = dict(Order.objects.values_list("external_id", "placed_at"))
    # Her latest order (4) was refunded in full: the latest purchases are 1, then 2.
    assert (ana.last_at, ana.prev_at, ana.first_at) == (placed["1"], placed["2"], placed["3"])
    g1 = CustomerSummary.objects.get(customer_key="g1@example.net")
    assert g1.prev_at == g1.last_at  # two purchases placed at the same time
    assert "g2@example.net" in kept and kept["g2@example.net"][2] == 1


def test_the_kpis_from_the_summaries_equal_the_kpis_from_every_order(mixed_orders):
    today = timezone.localdate()
    for churn_days in (7, 30, 180):
        assert kpis.compute(today, churn_days=churn_days) == kpis.compute_from_orders(
            today, churn_days=churn_days
        )
    figures = kpis.compute(today, churn_days=30)
    assert figures["community"]["customers"] == 1  # ana contributed
    assert figures["all"]["customers_to_date"] == 5


def test_an_order_attached_at_sign_up_moves_to_the_members_summary(mixed_orders):
    chen = UserFactory(username="chen", email="chen@example.com")
    address = EmailAddress.objects.create(user=chen, email="chen@example.com", primary=True)
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    kept = assert_summaries_match_a_rebuild()
    assert str(chen.pk) in kept and kept[str(chen.pk)][2] == 2
    assert "chen@example.com" not in kept  # the address's row is left with no purchase
    today = timezone.localdate()
    assert kpis.compute(today, churn_days=30) == kpis.compute_from_orders(today, churn_days=30)


def test_a_deleted_members_orders_count_for_their_address_again(mixed_orders):
    ben = get_user_model().objects.get(username="ben")
    assert CustomerSummary.objects.filter(customer_key=str(ben.pk)).exists()
    ben.delete()

    kept = assert_summaries_match_a_rebuild()
    assert kept["ben@example.com"][2] == 2  # orders 7 and 8
    assert str(ben.pk) not in kept


def test_an_order_dated_after_today_is_counted_from_the_orders(mixed_orders):
    shop = mixed_orders
    ingest_order_event(shop, envelope("99", "g9@example.net", "40.00", placed=days_ago(-3)))
    today = timezone.localdate()
    figures = kpis.compute(today, churn_days=30)
    assert figures == kpis.compute_from_orders(today, churn_days=30)
    assert figures["all"]["customers_to_date"] == 5  # the future order is not counted yet


def test_a_new_purchase_updates_the_summary_in_place(mixed_orders):
    shop = mixed_orders
    with CaptureQueriesContext(connection) as captured:
        ingest_order_event(shop, envelope("20", "ana@example.com", "10.00"))
    touching = [q["sql"] for q in captured.captured_queries if "shop_customer" in q["sql"]]
    assert len(touching) == 2  # one upsert of her row, one of the month's; no scan of orders
    assert all("FROM shop_order" not in sql for sql in touching)
    assert_summaries_match_a_rebuild()


def test_a_new_paid_order_for_a_member_takes_a_bounded_number_of_statements(
    mixed_orders, django_assert_max_num_queries
):
    shop = mixed_orders
    ingest_order_event(shop, envelope("21", "ben@example.com", "10.00"))  # warm the caches
    # 61 before the summaries and the trimming; one more reads the recipients' languages, so
    # the points notification is written in the member's own.
    with django_assert_max_num_queries(28):
        ingest_order_event(shop, envelope("22", "ben@example.com", "12.00"))


def test_the_rebuild_command_checks_and_rebuilds(mixed_orders):
    out = StringIO()
    call_command("rebuild_purchase_summaries", "--check", stdout=out)
    assert "match" in out.getvalue()
    CustomerMonth.objects.filter(purchases__gt=0).update(purchases=99)
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_purchase_summaries", "--check", stdout=StringIO())
    assert CustomerMonth.objects.filter(purchases=99).exists()  # --check changed nothing
    call_command("rebuild_purchase_summaries", stdout=StringIO())
    call_command("rebuild_purchase_summaries", "--check", stdout=StringIO())


def test_the_purchases_report_reads_the_summaries_then_its_cache(mixed_orders, client):
    from tests.factories import make_editor

    client.force_login(make_editor("editor"))
    url = "/admin/shop/reports/purchases/"
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    kpi_queries = [q["sql"] for q in cold.captured_queries if "shop_customer" in q["sql"]]
    assert len(kpi_queries) == 2  # the groups, then the months and cohorts
    assert len(cold.captured_queries) <= 30
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert not [q for q in warm.captured_queries if "shop_" in q["sql"]]  # all cached
    assert len(warm.captured_queries) <= 10


def test_a_summary_not_moved_on_to_the_period_is_counted_from_its_months(mixed_orders):
    today = timezone.localdate()
    reference = kpis.compute_from_orders(today, churn_days=30)
    # As on the first day of a month, before the daily roll: every row counts from last month.
    CustomerSummary.objects.update(recent_from=summaries.period_month() - timedelta(days=20))
    assert kpis.compute(today, churn_days=30) == reference
    call_command("rebuild_purchase_summaries", "--check", stdout=StringIO())  # not wrong
    out = StringIO()
    call_command("roll_purchase_summaries", stdout=out)
    assert "5 customer summaries moved on" in out.getvalue()
    assert kpis.compute(today, churn_days=30) == reference
    assert_summaries_match_a_rebuild()


def test_an_order_deleted_by_hand_leaves_the_summaries(mixed_orders):
    Order.objects.filter(external_id__in=["1", "9"]).delete()
    kept = assert_summaries_match_a_rebuild()
    assert kept["g1@example.net"][2] == 1
