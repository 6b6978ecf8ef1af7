"""The demo shop and its orders, `send_demo_order` over HTTP, and the bench registrations."""

import io
import json
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, TestCase

from hub.bench import bench_pages, bench_probes, bench_seeders
from hub.rewards.models import Balance
from hub.shop import kpis
from hub.shop.demo import DEMO_SHOP_SLUG, seed_shop
from hub.shop.models import ComebackOffer, Order, Shop
from tests.shop.helpers import verified_member

pytestmark = pytest.mark.django_db


def test_the_demo_shop_has_orders_from_members_and_other_customers():
    for name in ("ana", "ben", "chen", "dara"):
        verified_member(name)
    seed_shop(lambda line: None)
    seed_shop(lambda line: None)  # idempotent
    shop = Shop.objects.get(slug=DEMO_SHOP_SLUG)
    orders = Order.objects.filter(shop=shop)
    assert orders.filter(member__isnull=False).count() == 13
    assert orders.filter(member__isnull=True).values("email").distinct().count() == 30
    assert orders.filter(status=Order.PARTIALLY_REFUNDED).count() == 1
    assert Balance.objects.get(user__username="ana").lifetime > 0
    assert ComebackOffer.objects.filter(
        member__username="dara"
    ).exists()  # her first order is recent
    figures = kpis.purchase_kpis()
    assert figures["all"]["customers"] > 30 and figures["all"]["repeat_rate"] > 0


class _Answer(io.BytesIO):
    def __init__(self, response):
        super().__init__(response.content)
        self.status = response.status_code

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def test_send_demo_order_posts_a_signed_order_the_site_accepts(monkeypatch):
    verified_member("ana")
    seed_shop(lambda line: None)
    sent = []

    def urlopen(request, timeout):
        sent.append(request)
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.header_items()}
        with TestCase.captureOnCommitCallbacks(execute=True):  # the worker applies it
            response = Client().post(
                request.full_url.split("testserver", 1)[-1],
                request.data,
                content_type="application/json",
                **headers,
            )
        return _Answer(response)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    before = Balance.objects.get(user__username="ana").lifetime
    out = io.StringIO()
    call_command(
        "send_demo_order", "ana@example.com", "49.90", base_url="http://testserver", stdout=out
    )

    assert "-> 202" in out.getvalue() and "background worker" in out.getvalue()
    assert json.loads(sent[0].data)["data"]["total"] == "49.90"
    assert Balance.objects.get(user__username="ana").lifetime == before + 49


def test_send_demo_order_refuses_a_bad_amount():
    with pytest.raises(CommandError):
        call_command("send_demo_order", "ana@example.com", "lots")


def test_the_bench_registers_the_shop_seeder_report_and_probes():
    assert "shop" in {s.name for s in bench_seeders()}
    assert "purchases report (members vs others)" in {p.name for p in bench_pages()}
    assert {"order ingestion", "purchase KPIs cold"} <= {p.name for p in bench_probes()}
