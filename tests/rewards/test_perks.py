"""Perks: redeeming (and every refusal taking nothing), code pools, the pages, and the admin."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub import fragments
from hub.notifications.models import Notification
from hub.rewards import services
from hub.rewards.models import Balance, Perk, PerkCode, PointsEntry, Redemption, Tier
from hub.rewards.services import RewardsError, import_perk_codes, redeem_perk
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db


def give(user, points: int) -> None:
    services.adjust(user, points, reason="Thanks for helping", by=None)


def make_perk(slug="discount", **fields) -> Perk:
    fields.setdefault("title", slug.replace("-", " ").capitalize())
    fields.setdefault("cost", 100)
    fields.setdefault("shared_code", "TRAIL15")
    return Perk.objects.create(slug=slug, **fields)


def add_codes(perk: Perk, *codes: str) -> None:
    PerkCode.objects.bulk_create([PerkCode(perk=perk, code=code) for code in codes])


def points_of(user) -> tuple[int, int]:
    balance = Balance.objects.get(user=user)
    return balance.lifetime, balance.spendable


def csv_file(text: str | bytes, name: str = "codes.csv") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- Redeeming ---------------------------------------------------------------------------------
def test_shared_code_perk_costs_spendable_points_but_keeps_lifetime_points(member):
    give(member, 250)
    perk = make_perk(cost=100, instructions="Enter it at checkout.")

    redemption = redeem_perk(perk, by=member)

    assert points_of(member) == (250, 150)
    assert redemption.code is None
    assert redemption.points == 100
    entry = redemption.entry
    assert (entry.kind, entry.points, entry.action) == (
        PointsEntry.REDEMPTION,
        -100,
        "rewards.perk.redeemed",
    )
    perk.refresh_from_db()
    assert perk.redeemed_count == 1
    note = Notification.objects.get(recipient=member, kind="rewards.perk.redeemed")
    assert note.url == "/perks/mine/"
    assert "Perk" in note.text or perk.title in note.text


def test_unique_code_perk_hands_each_member_a_code_of_their_own(member):
    other = UserFactory()
    give(member, 100)
    give(other, 100)
    perk = make_perk(code_type=Perk.UNIQUE, shared_code="", cost=50)
    add_codes(perk, "MUG-1", "MUG-2", "MUG-3")

    first, second = redeem_perk(perk, by=member), redeem_perk(perk, by=other)

    assert {first.code.code, second.code.code} == {"MUG-1", "MUG-2"}
    assert PerkCode.objects.filter(perk=perk, redemption__isnull=True).count() == 1


def test_free_perk_writes_no_ledger_line(member):
    perk = make_perk(cost=0)

    redemption = redeem_perk(perk, by=member)

    assert redemption.entry is None
    assert not PointsEntry.objects.filter(user=member, kind=PointsEntry.REDEMPTION).exists()


def test_tier_perk_is_open_once_the_member_reaches_the_tier(member):
    insider = Tier.objects.get(name="Insider")
    give(member, insider.threshold)
    perk = make_perk(cost=0, min_tier=insider)

    assert redeem_perk(perk, by=member).perk == perk


def test_balances_still_agree_with_the_ledger_after_redemptions(member, capsys):
    give(member, 400)
    redeem_perk(make_perk("a", cost=100), by=member)
    redeem_perk(make_perk("b", cost=300), by=member)

    call_command("check_ledger")

    assert points_of(member) == (400, 0)
    assert "Ledger consistent" in capsys.readouterr().out


def _past(days=1):
    return timezone.now() - datetime.timedelta(days=days)


def _future(days=1):
    return timezone.now() + datetime.timedelta(days=days)


REFUSALS = {
    "inactive": ({"is_active": False}, "no longer offered"),
    "not yet": ({"available_from": _future()}, "Not available yet"),
    "ended": ({"available_until": _past()}, "No longer available"),
    "tier": ({"min_tier": "Champion"}, "Reach Champion to unlock"),
    "out of stock": ({"stock": 1, "redeemed_count": 1}, "Out of stock"),
    "not enough points": ({"cost": 500}, "You need 300 more points."),
    "no codes left": ({"code_type": Perk.UNIQUE, "shared_code": ""}, "Out of stock"),
}


@pytest.mark.parametrize("case", REFUSALS.keys())
def test_refused_redemption_takes_nothing(member, case):
    fields, message = REFUSALS[case]
    fields = dict(fields)
    if "min_tier" in fields:
        fields["min_tier"] = Tier.objects.get(name=fields["min_tier"])
    give(member, 200)
    perk = make_perk(**fields)
    before = perk.redeemed_count

    with pytest.raises(RewardsError, match=message):
        redeem_perk(perk, by=member)

    assert points_of(member) == (200, 200)
    assert not Redemption.objects.exists()
    assert not PointsEntry.objects.filter(kind=PointsEntry.REDEMPTION).exists()
    perk.refresh_from_db()
    assert perk.redeemed_count == before
    assert not Notification.objects.filter(kind="rewards.perk.redeemed").exists()


def test_member_cannot_redeem_more_than_the_limit_and_the_refusal_takes_nothing(member):
    give(member, 500)
    perk = make_perk(cost=100, per_member_limit=2)
    redeem_perk(perk, by=member)
    redeem_perk(perk, by=member)

    with pytest.raises(RewardsError, match="already redeemed this perk 2 times"):
        redeem_perk(perk, by=member)

    assert points_of(member) == (500, 300)
    assert Redemption.objects.filter(user=member).count() == 2


def test_a_stale_perk_object_does_not_oversell(member):
    give(member, 100)
    perk = make_perk(cost=0, stock=1)
    stale = Perk.objects.get(pk=perk.pk)
    redeem_perk(perk, by=UserFactory())

    with pytest.raises(RewardsError, match="Out of stock"):
        redeem_perk(stale, by=member)


# --- Importing codes ---------------------------------------------------------------------------
@pytest.fixture
def mug():
    return make_perk("mug", code_type=Perk.UNIQUE, shared_code="", cost=300)


def test_import_reads_one_code_per_line_with_an_optional_header(mug):
    added, skipped = import_perk_codes(mug, csv_file("code\n  AAA-1 \n\nBBB-2,ignored\r\nCCC-3\n"))

    assert (added, skipped) == (3, 0)
    assert set(mug.codes.values_list("code", flat=True)) == {"AAA-1", "BBB-2", "CCC-3"}


def test_import_skips_duplicates_in_the_file_and_in_the_pool(mug):
    add_codes(mug, "AAA-1")

    added, skipped = import_perk_codes(mug, csv_file("AAA-1\nBBB-2\nBBB-2\nCCC-3\n"))

    assert (added, skipped) == (2, 2)
    assert mug.codes.count() == 3


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a text or CSV file"),
        (b"", "No codes found"),
        (b"\n , \n", "No codes found"),
        (("X" * 121 + "\n").encode(), "longer than 120 characters"),
        (b"A" * 1_000_001, "larger than 1 MB"),
    ],
    ids=["binary", "empty", "blank", "code too long", "too big"],
)
def test_a_bad_codes_file_is_refused_and_adds_nothing(mug, content, message):
    with pytest.raises(RewardsError, match=message):
        import_perk_codes(mug, csv_file(content))

    assert not mug.codes.exists()


def test_codes_cannot_be_imported_into_a_shared_code_perk():
    perk = make_perk()

    with pytest.raises(RewardsError, match="one shared code"):
        import_perk_codes(perk, csv_file("AAA\n"))


def test_import_accepts_a_text_stream(mug):
    assert import_perk_codes(mug, io.StringIO("ONE\nTWO\n")) == (2, 0)


# --- Pages -------------------------------------------------------------------------------------
def test_locked_perk_is_shown_with_the_tier_it_takes(member_client, member):
    client = Client()
    make_perk(
        "lunch", title="Lunch with the design team", min_tier=Tier.objects.get(name="Champion")
    )

    for visitor in (client, member_client):
        page = visitor.get("/perks/").content.decode()
        assert "Lunch with the design team" in page
        assert "Reach Champion to unlock" in page
        assert 'href="/perks/lunch/redeem/"' not in page


def test_perks_page_offers_a_redeem_button_or_says_why_not(member_client, member):
    give(member, 150)
    make_perk("cheap", title="Sticker pack", cost=100)
    make_perk("dear", title="Stove", cost=400)
    make_perk("gone", title="Poster", cost=0, stock=2, redeemed_count=2)
    make_perk("later", title="Preview", cost=0, available_from=_future(3))

    page = member_client.get("/perks/").content.decode()

    assert 'href="/perks/cheap/redeem/"' in page
    assert "Redeem for 100 points" in page
    assert "You need 250 more points." in page
    assert "Out of stock" in page
    assert "Not available yet" in page
    for slug in ("dear", "gone", "later"):
        assert f'href="/perks/{slug}/redeem/"' not in page


def test_visitors_are_asked_to_sign_in_to_redeem(client):
    make_perk()

    page = client.get("/perks/").content.decode()

    assert "Sign in to redeem" in page
    # Signing in leads back to the confirmation; nothing on the page redeems by itself.
    assert 'href="/accounts/login/?next=/perks/discount/redeem/"' in page
    assert 'method="post" action="/perks/' not in page


def test_redeeming_shows_the_code_under_my_perks(member_client, member):
    give(member, 100)
    make_perk(title="15% off", shared_code="TRAIL15", instructions="Enter it at checkout.")

    response = member_client.post("/perks/discount/redeem/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/perks/mine/")
    page = response.content.decode()
    assert "You redeemed “15% off”" in page
    assert "TRAIL15" in page
    assert "Enter it at checkout." in page
    assert points_of(member) == (100, 0)


def test_refused_redemption_comes_back_to_the_perks_with_the_reason(member_client, member):
    give(member, 20)
    make_perk(cost=100)

    response = member_client.post("/perks/discount/redeem/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/perks/")
    assert "You need 80 more points." in response.content.decode()
    assert points_of(member) == (20, 20)


def test_redeem_needs_a_signed_in_member_and_a_post(member_client):
    client = Client()
    make_perk(cost=0)

    assert client.post("/perks/discount/redeem/").url.startswith("/accounts/login/")
    assert member_client.get("/perks/discount/redeem/").status_code == 200  # asks first
    assert member_client.post("/perks/nope/redeem/").status_code == 404
    assert not Redemption.objects.exists()
    assert client.get("/perks/mine/").url.startswith("/accounts/login/")


def test_redeeming_asks_first_with_the_points_before_and_after(member_client, member):
    give(member, 250)
    make_perk(title="15% off", cost=100)

    perks_page = member_client.get("/perks/").content.decode()
    assert "You have 250 points to spend." in perks_page
    assert 'href="/perks/discount/redeem/"' in perks_page

    confirm = member_client.get("/perks/discount/redeem/").content.decode()
    assert "Redeem “<bdi>15% off</bdi>”?" in confirm
    assert "<dd>250</dd>" in confirm
    assert "<dd><strong>150</strong></dd>" in confirm
    assert "Yes, redeem for 100 points" in confirm
    assert not Redemption.objects.exists()  # looking is not redeeming


def test_a_visitor_signs_in_and_comes_back_to_the_confirmation(client, member):
    give(member, 250)
    make_perk(cost=100)
    perks_page = client.get("/perks/").content.decode()
    assert "/accounts/login/?next=/perks/discount/redeem/" in perks_page
    client.force_login(member)
    assert "Yes, redeem for 100 points" in client.get("/perks/discount/redeem/").content.decode()


def test_a_perk_out_of_reach_goes_back_with_why_instead_of_asking(member_client, member):
    give(member, 20)
    make_perk(cost=100)
    response = member_client.get("/perks/discount/redeem/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/perks/")
    assert "You need 80 more points." in response.content.decode()


def test_my_perks_lists_each_members_own_codes(member_client, member):
    perk = make_perk("mug", code_type=Perk.UNIQUE, shared_code="", cost=0)
    add_codes(perk, "MUG-MINE", "MUG-THEIRS")
    redeem_perk(perk, by=member)
    redeem_perk(perk, by=UserFactory())

    page = member_client.get("/perks/mine/").content.decode()

    assert "MUG-MINE" in page
    assert "MUG-THEIRS" not in page
    assert "data-copy-code" in page


def test_account_menu_links_to_my_perks_and_the_nav_to_perks(member_client):
    page = member_client.get("/perks/").content.decode()

    assert 'href="/perks/mine/"' in page
    assert 'href="/perks/"' in page


def _queries(client, url) -> int:
    fragments.clear_all()  # the kept pieces (the bell...) rendered afresh for every count
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _many_perks_redeemed_by(member, start: int, count: int) -> None:
    champion = Tier.objects.get(name="Champion")
    for n in range(start, start + count):
        perk = make_perk(
            f"perk-{n}",
            cost=1,
            stock=50,
            min_tier=champion if n % 3 == 0 else None,
            code_type=Perk.UNIQUE if n % 2 else Perk.SHARED,
        )
        if n % 2:
            add_codes(perk, f"CODE-{n}-A", f"CODE-{n}-B")
        if n % 3:
            redeem_perk(perk, by=member)


def test_perk_pages_need_the_same_few_queries_however_many_perks(
    member_client, member, django_assert_max_num_queries
):
    give(member, 1000)
    _many_perks_redeemed_by(member, 0, 3)
    member_client.get("/perks/")  # warm the tiers cache and the session
    few = {url: _queries(member_client, url) for url in ("/perks/", "/perks/mine/")}

    _many_perks_redeemed_by(member, 3, 30)
    many = {url: _queries(member_client, url) for url in ("/perks/", "/perks/mine/")}

    assert many == few
    for url in few:
        with django_assert_max_num_queries(12):
            member_client.get(url)


# --- Admin -------------------------------------------------------------------------------------
@pytest.fixture
def moderator():
    user = UserFactory(username="moderator")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_editors_can_add_a_perk(client):
    client.force_login(make_editor(can_publish=False))
    mug = make_perk("mug", title="Enamel mug", code_type=Perk.UNIQUE, shared_code="")
    add_codes(mug, "MUG-1", "MUG-2")

    listing = client.get("/admin/perks/").content.decode()
    assert "Enamel mug" in listing
    assert f"/admin/advocates/perks/{mug.pk}/import-codes/" in listing
    edit = client.get(f"/admin/perks/edit/{mug.pk}/").content.decode()
    assert f"/admin/advocates/perks/{mug.pk}/import-codes/" in edit
    response = client.post(
        "/admin/perks/new/",
        {
            "title": "Trail socks",
            "slug": "",
            "description": "Merino, made to last.",
            "is_active": "on",
            "cost": "120",
            "min_tier": "",
            "per_member_limit": "1",
            "stock": "40",
            "available_from": "",
            "available_until": "",
            "code_type": "shared",
            "shared_code": "SOCKS",
            "instructions": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    perk = Perk.objects.get(title="Trail socks")
    assert (perk.slug, perk.cost, perk.stock) == ("trail-socks", 120, 40)


def test_editors_cannot_set_the_stock_below_what_was_redeemed(client, member):
    perk = make_perk(cost=0, stock=5)
    redeem_perk(perk, by=member)
    redeem_perk(perk, by=UserFactory())
    client.force_login(make_editor(can_publish=False))

    response = client.post(
        f"/admin/perks/edit/{perk.pk}/",
        {
            "title": perk.title,
            "slug": perk.slug,
            "description": "",
            "is_active": "on",
            "cost": "0",
            "min_tier": "",
            "per_member_limit": "1",
            "stock": "1",
            "available_from": "",
            "available_until": "",
            "code_type": "shared",
            "shared_code": "TRAIL15",
            "instructions": "",
        },
    )

    assert response.status_code == 200
    assert "2 have already been redeemed" in response.content.decode()
    perk.refresh_from_db()
    assert (perk.stock, perk.redeemed_count) == (5, 2)


def test_a_redeemed_perk_is_not_deleted(client, member):
    perk = make_perk(cost=0)
    redeem_perk(perk, by=member)
    client.force_login(make_editor(can_publish=False))

    response = client.post(f"/admin/perks/delete/{perk.pk}/", follow=True)

    assert response.status_code == 200
    assert "stays in their records" in response.content.decode()
    assert Perk.objects.filter(pk=perk.pk).exists()


def test_editors_import_codes_from_csv_and_see_errors_in_the_form(client, mug):
    client.force_login(make_editor(can_publish=False))
    url = f"/admin/advocates/perks/{mug.pk}/import-codes/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"file": csv_file("code\nA-1\nA-2\nA-2\n")}, follow=True)
    assert "2 codes added" in response.content.decode()
    assert mug.codes.count() == 2

    response = client.post(url, {"file": csv_file(b"\xff\xfe\x00\x00", "codes.xlsx")})
    assert response.status_code == 200
    assert "not a text or CSV file" in response.content.decode()
    assert mug.codes.count() == 2


def test_editors_read_and_export_the_redemptions_report(client, member, mug):
    add_codes(mug, "MUG-1")
    give(member, 300)
    redeem_perk(mug, by=member)
    client.force_login(make_editor(can_publish=False))

    page = client.get("/admin/perk-redemptions/")
    export = client.get("/admin/perk-redemptions/?export=csv")

    assert page.status_code == 200
    assert "MUG-1" in page.content.decode()
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()
    assert "ana@example.com" in body and "MUG-1" in body
    assert client.get("/admin/perk-redemptions/?export=xlsx").status_code == 200


def test_admin_perk_listings_need_the_same_queries_however_many_rows(client, mug):
    client.force_login(make_editor(can_publish=False))
    urls = ("/admin/perks/", "/admin/perk-codes/", "/admin/perk-redemptions/")

    def redeemed_by_new_members(count):
        for _ in range(count):
            member = UserFactory()
            give(member, mug.cost)
            add_codes(mug, f"MUG-{member.pk}")
            make_perk(f"extra-{member.pk}", cost=0)
            redeem_perk(mug, by=member)

    redeemed_by_new_members(2)
    client.get(urls[0])
    few = {url: _queries(client, url) for url in urls}
    redeemed_by_new_members(15)
    many = {url: _queries(client, url) for url in urls}

    assert many == few


@pytest.mark.parametrize(
    "url",
    [
        "/admin/perks/",
        "/admin/perks/new/",
        "/admin/perk-codes/",
        "/admin/perk-redemptions/",
        "/admin/advocates/perks/{pk}/import-codes/",
    ],
)
def test_moderators_cannot_touch_perks(client, moderator, url):
    perk = make_perk()
    client.force_login(moderator)
    url = url.format(pk=perk.pk)

    # Wagtail answers a denied page with a redirect and a message, and a script with a 403.
    page = client.get(url, follow=True)
    assert page.redirect_chain == [("/admin/", 302)]
    assert "you do not have permission" in page.content.decode()
    assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403


def test_moderators_cannot_change_a_perk(client, moderator):
    perk = make_perk()
    client.force_login(moderator)

    response = client.post(
        f"/admin/perks/edit/{perk.pk}/",
        {"title": "Mine now"},
        headers={"x-requested-with": "XMLHttpRequest"},
    )

    assert response.status_code == 403
    perk.refresh_from_db()
    assert perk.title != "Mine now"
