"""The shop connection in the Wagtail admin: shops and their secrets, deliveries and orders, the
CSV import with its dry run, and the purchases report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hub.rewards.models import Balance
from hub.shop.models import Order, OrderEvent, Shop, ShopSecret
from hub.shop.services import ingest_order_event
from tests.factories import make_editor
from tests.shop.helpers import deliver, envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor("editor"))
    return client


def test_creating_a_shop_shows_its_secret_once(editor_client, client):
    response = editor_client.post(
        "/admin/shop/shops/new/",
        {"name": "EU store", "slug": "eu", "currency": "EUR", "is_active": "on"},
    )
    assert response.status_code == 200
    secret = ShopSecret.objects.get(shop__slug="eu").secret
    assert secret in response.content.decode()
    page = editor_client.get(f"/admin/shop/shops/{Shop.objects.get().pk}/connection/")
    html = page.content.decode()
    assert secret not in html and f"whsec_…{secret[-4:]}" in html
    assert "/api/v1/webhooks/orders/?shop=eu" in html
    # The secret works at once.
    client.logout()
    assert deliver(client, secret, envelope(), shop="eu").status_code == 202


def test_rotating_keeps_the_old_secret_for_the_overlap(editor_client):
    shop, old = make_shop()
    response = editor_client.post(f"/admin/shop/shops/{shop.pk}/rotate/", {"overlap_hours": "2"})
    new = ShopSecret.objects.exclude(secret=old).get().secret
    assert new in response.content.decode()
    expires = ShopSecret.objects.get(secret=old).expires_at
    assert expires is not None
    assert ShopSecret.objects.get(secret=new).expires_at is None


def test_stopping_a_leaked_secret_works_at_once(editor_client, client):
    shop, old = make_shop()
    secret = ShopSecret.objects.get()
    editor_client.post(f"/admin/shop/shops/{shop.pk}/secrets/{secret.pk}/expire/")
    assert deliver(client, old, envelope()).status_code == 401


def test_the_connection_page_lists_deliveries_and_orders_in_bounded_queries(
    editor_client, django_assert_max_num_queries
):
    shop, secret = make_shop()
    verified_member("ana")
    for number in range(5):
        ingest_order_event(shop, envelope(str(number)), webhook_id=f"msg_{number}")
    with django_assert_max_num_queries(25):
        html = editor_client.get(f"/admin/shop/shops/{shop.pk}/connection/").content.decode()
    assert html.count("msg_") == 5
    assert "#4" in html


def test_orders_listing_searches_filters_and_exports(editor_client):
    shop = make_shop()[0]
    ingest_order_event(shop, envelope("A-1", "one@example.com"))
    ingest_order_event(shop, envelope("B-2", "two@example.com", kind="order.created"))
    html = editor_client.get("/admin/shop/orders/?q=one@example.com").content.decode()
    assert "A-1" in html and "B-2" not in html
    html = editor_client.get("/admin/shop/orders/?status=created").content.decode()
    assert "B-2" in html and "A-1" not in html
    export = editor_client.get("/admin/shop/orders/?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert "A-1" in body and "B-2" in body


def test_members_cannot_reach_the_shop_admin(member_client):
    shop = make_shop()[0]
    for url in (
        "/admin/shop/shops/",
        f"/admin/shop/shops/{shop.pk}/connection/",
        "/admin/shop/import/",
        "/admin/shop/reports/purchases/",
    ):
        assert member_client.get(url).status_code in (302, 403), url


CSV = (
    "order_id,email,status,total,refunded,created_at,sku,quantity,unit_price,discount_codes\n"
    "C-1,ana@example.com,paid,40.00,,2026-11-01T10:00:00Z,SKU-1,1,25.00,\n"
    "C-1,,,,,,SKU-2,1,15.00,\n"
    "C-2,guest@example.net,refunded,10.00,,2026-11-02T10:00:00Z,SKU-1,1,10.00,\n"
    "C-3,bad-address,paid,5.00,,2026-11-03T10:00:00Z,,,,\n"
)


def upload(client, shop, data=CSV):
    return client.post(
        "/admin/shop/import/",
        {"shop": shop.pk, "file": SimpleUploadedFile("orders.csv", data.encode(), "text/csv")},
    )


def test_the_csv_dry_run_shows_what_would_change_and_keeps_nothing(editor_client):
    shop = make_shop()[0]
    ana = verified_member("ana")
    response = upload(editor_client, shop)
    html = response.content.decode()
    assert "Dry run" in html
    assert "+40" in html  # the points ana would earn
    assert "Enter a valid e-mail address." in html
    assert not Order.objects.exists() and not OrderEvent.objects.exists()
    assert not Balance.objects.filter(user=ana).exists()
    assert not ana.notifications.exists()


def test_applying_the_csv_imports_it_and_a_second_import_changes_nothing(editor_client):
    shop = make_shop()[0]
    ana = verified_member("ana")
    token = upload(editor_client, shop).context["token"]
    response = editor_client.post("/admin/shop/import/", {"apply": token})
    assert response.status_code == 200
    order = Order.objects.get(external_id="C-1")
    assert order.lines.count() == 2 and order.member == ana
    assert Order.objects.get(external_id="C-2").status == Order.REFUNDED
    assert not Order.objects.filter(external_id="C-3").exists()
    assert Balance.objects.get(user=ana).lifetime == 40

    token = upload(editor_client, shop).context["token"]
    editor_client.post("/admin/shop/import/", {"apply": token})
    assert Balance.objects.get(user=ana).lifetime == 40
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_a_file_that_is_not_csv_is_a_form_error(editor_client):
    shop = make_shop()[0]
    response = upload(editor_client, shop, data="just,some\ntext")
    assert "The file needs these columns" in response.content.decode()


def test_an_expired_dry_run_asks_for_the_file_again(editor_client):
    response = editor_client.post("/admin/shop/import/", {"apply": "nope"}, follow=True)
    assert "upload the file again" in response.content.decode()


def test_the_purchases_report_compares_members_and_others(
    editor_client, django_assert_max_num_queries
):
    shop = make_shop()[0]
    verified_member("ana")
    ingest_order_event(shop, envelope("1", "ana@example.com", "100.00"))
    ingest_order_event(shop, envelope("2", "guest@example.net", "50.00"))
    with django_assert_max_num_queries(30):
        response = editor_client.get("/admin/shop/reports/purchases/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Community members vs other customers" in html
    assert 'data-kpi="lifetime_value"' in html
    assert "Revenue per month</title>" in html
    assert "Retention by first-order month" in html


def test_the_admin_home_shows_the_purchases_panel(editor_client):
    shop = make_shop()[0]
    ingest_order_event(shop, envelope("1", "guest@example.net", "50.00"))
    html = editor_client.get("/admin/").content.decode()
    assert 'data-panel="shop.purchases"' in html
    assert 'data-kpi="repeat_purchase_rate"' in html


def test_the_kpi_export_lists_the_purchase_figures(editor_client):
    shop = make_shop()[0]
    ingest_order_event(shop, envelope("1", "guest@example.net", "50.00"))
    body = editor_client.get("/admin/workspace/kpis.csv").content.decode()
    assert "Purchases,average_order_value,50.0" in body


def test_a_shop_with_orders_cannot_be_deleted(client, admin_user):
    client.force_login(admin_user)
    shop = make_shop()[0]
    ingest_order_event(shop, envelope())
    response = client.post(f"/admin/shop/shops/delete/{shop.pk}/", follow=True)
    assert "pause it instead" in response.content.decode()
    assert Shop.objects.filter(pk=shop.pk).exists()


def test_the_reminder_must_come_before_the_code_expires():
    from django.core.exceptions import ValidationError
    from wagtail.models import Site

    from hub.shop.models import ShopSettings

    settings = ShopSettings.for_site(Site.objects.get(is_default_site=True))
    settings.comeback_days, settings.comeback_reminder_days = 7, 7
    with pytest.raises(ValidationError):
        settings.clean()


def test_editors_see_a_pending_delivery_as_waiting_for_the_worker(editor_client):
    shop, secret = make_shop()
    deliver(editor_client, secret, envelope("2002"), process=False)

    page = editor_client.get(f"/admin/shop/shops/{shop.pk}/connection/").content.decode()
    assert "#2002" in page and "Waiting for the background worker" in page
    assert editor_client.get("/admin/shop/deliveries/").status_code == 200
