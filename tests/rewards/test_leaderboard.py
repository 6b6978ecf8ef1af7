"""The leaderboards: who is listed, in what order, per period, and what it costs to show them."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.accounts import services as accounts_services
from hub.rewards import services
from hub.rewards.models import LeaderboardScore
from hub.rewards.queries import ALL_TIME, period_key
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def give(editor):
    """Give a member points the way the team does by hand (leaderboards count them too)."""

    def give(member, points: int) -> None:
        services.adjust(member, points, reason="For the test", by=editor)

    return give


def board(client, period: str = "all") -> list[tuple[str, str, str]]:
    """(rank, name, points) for each listed row of the leaderboard page."""
    html = client.get(f"/leaderboard/?period={period}").content.decode()
    return re.findall(
        r'leaderboard__rank">(\d+)</span>.*?leaderboard__name"[^>]*><bdi>([^<]+)</bdi></a>\s*'
        r'<span class="leaderboard__points">(\d+) points?</span>',
        html,
        re.S,
    )


def your_rank(client, period: str = "all") -> str | None:
    html = client.get(f"/leaderboard/?period={period}").content.decode()
    match = re.search(r'class="leaderboard-me" role="status">([^<]+)<', html)
    return match.group(1) if match else None


def test_members_are_listed_by_points_highest_first(client, give):
    for name, points in [("Low", 10), ("High", 300), ("Middle", 120)]:
        give(UserFactory(display_name=name), points)
    assert board(client) == [("1", "High", "300"), ("2", "Middle", "120"), ("3", "Low", "10")]


def test_tied_members_are_listed_in_the_order_they_joined(client, give):
    first, second = UserFactory(display_name="First"), UserFactory(display_name="Second")
    give(second, 50)
    give(first, 50)
    assert board(client) == [("1", "First", "50"), ("2", "Second", "50")]


def test_your_rank_agrees_with_the_list_when_tied(client, give):
    first, second = UserFactory(display_name="First"), UserFactory(display_name="Second")
    give(first, 50)
    give(second, 50)
    client.force_login(second)
    assert your_rank(client) == "You are #2 with 50 points."


def test_members_without_points_are_not_listed(client, give):
    give(UserFactory(display_name="Helper"), 10)
    UserFactory(display_name="Newcomer")
    assert [name for _rank, name, _points in board(client)] == ["Helper"]


def test_only_the_top_fifty_are_listed(client, give):
    for points in range(1, 56):
        give(UserFactory(display_name=f"Member {points}"), points)
    rows = board(client)
    assert len(rows) == 50
    assert rows[0] == ("1", "Member 55", "55")
    assert rows[-1] == ("50", "Member 6", "6")


def test_member_outside_the_top_fifty_sees_their_own_rank(client, give):
    for tens in range(1, 56):  # 55 members with 10, 20, … 550 points
        give(UserFactory(), tens * 10)
    me = UserFactory(display_name="Me")
    give(me, 25)  # behind the 53 members with 30 to 550 points
    client.force_login(me)
    assert "Me" not in [name for _rank, name, _points in board(client)]
    assert your_rank(client) == "You are #54 with 25 points."


def test_member_in_the_top_fifty_sees_their_rank_and_their_row_highlighted(client, give):
    me = UserFactory(display_name="Me")
    give(UserFactory(), 90)
    give(me, 40)
    client.force_login(me)
    assert your_rank(client) == "You are #2 with 40 points."
    assert "leaderboard__row--me" in client.get("/leaderboard/").content.decode()


def test_staff_are_not_listed(client, give):
    give(UserFactory(display_name="Staff", is_staff=True), 500)
    give(UserFactory(display_name="Member"), 10)
    assert board(client) == [("1", "Member", "10")]


def test_inactive_members_are_not_listed(client, give):
    give(UserFactory(display_name="Gone", is_active=False), 500)
    give(UserFactory(display_name="Member"), 10)
    assert board(client) == [("1", "Member", "10")]


def test_members_who_opted_out_are_not_listed_and_see_why(client, give):
    private = UserFactory(display_name="Private", show_on_leaderboard=False)
    give(private, 500)
    give(UserFactory(display_name="Member"), 10)
    assert board(client) == [("1", "Member", "10")]

    client.force_login(private)
    html = client.get("/leaderboard/").content.decode()
    assert "You have chosen not to appear on the leaderboard." in html
    assert "leaderboard-me" not in html


def test_member_who_opts_out_leaves_a_leaderboard_already_shown(
    client, give, django_capture_on_commit_callbacks
):
    member = UserFactory(username="ana", display_name="Ana")
    give(member, 50)
    give(UserFactory(display_name="Ben"), 20)
    assert [name for _r, name, _p in board(client)] == ["Ana", "Ben"]  # the top list is cached

    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.update_profile(
            member, display_name="Ana", bio="", show_on_leaderboard=False
        )
    assert [name for _r, name, _p in board(client)] == ["Ben"]
    assert [name for _r, name, _p in board(client, "week")] == ["Ben"]


def test_member_who_deletes_their_account_leaves_a_leaderboard_already_shown(
    client, give, django_capture_on_commit_callbacks
):
    member = UserFactory(username="ana", display_name="Ana")
    give(member, 50)
    give(UserFactory(display_name="Ben"), 20)
    assert [name for _r, name, _p in board(client)] == ["Ana", "Ben"]

    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.delete_account(member)
    assert [name for _r, name, _p in board(client)] == ["Ben"]


def test_member_who_opts_back_in_is_listed_again(client, give, django_capture_on_commit_callbacks):
    member = UserFactory(username="ana", display_name="Ana", show_on_leaderboard=False)
    give(member, 50)
    give(UserFactory(display_name="Ben"), 20)
    assert [name for _r, name, _p in board(client)] == ["Ben"]

    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.update_profile(
            member, display_name="Ana", bio="", show_on_leaderboard=True
        )
    assert [name for _r, name, _p in board(client)] == ["Ana", "Ben"]


def test_month_board_counts_only_points_earned_this_month(client, give):
    veteran, newcomer = UserFactory(display_name="Veteran"), UserFactory(display_name="Newcomer")
    long_ago = timezone.now() - datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        give(veteran, 300)
    give(newcomer, 30)
    give(veteran, 5)

    assert board(client, "all") == [("1", "Veteran", "305"), ("2", "Newcomer", "30")]
    assert board(client, "month") == [("1", "Newcomer", "30"), ("2", "Veteran", "5")]


def test_week_board_counts_only_points_earned_this_week(client, give):
    veteran, newcomer = UserFactory(display_name="Veteran"), UserFactory(display_name="Newcomer")
    last_week = timezone.now() - datetime.timedelta(days=8)
    with mock.patch("django.utils.timezone.now", return_value=last_week):
        give(veteran, 300)
    give(newcomer, 30)

    assert board(client, "week") == [("1", "Newcomer", "30")]
    html = client.get("/leaderboard/?period=week").content.decode()
    assert '<a href="?period=week" aria-current="page">This week</a>' in html


def test_points_reversed_later_leave_the_period_they_were_earned_in(client, give):
    member, source = UserFactory(display_name="Ana"), UserFactory()
    long_ago = timezone.now() - datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        services.award(member, "accounts.email.verified", source=source)
    give(member, 30)
    services.reverse(member, "accounts.email.verified", source=source, reason="Bounced")

    assert board(client, "all") == [("1", "Ana", "30")]
    assert board(client, "month") == [("1", "Ana", "30")]
    old_month = period_key("month", long_ago)
    assert LeaderboardScore.objects.get(user=member, period=old_month).points == 0


def test_unknown_period_shows_the_all_time_board(client, give):
    give(UserFactory(display_name="Ana"), 10)
    html = client.get("/leaderboard/?period=decade").content.decode()
    assert '<a href="?period=all" aria-current="page">All time</a>' in html


def test_cached_top_list_shows_a_member_who_just_entered_it(
    client, give, django_capture_on_commit_callbacks
):
    for points in range(100, 150):  # a full top 50
        give(UserFactory(), points)
    assert len(board(client)) == 50
    assert cache.get(f"rewards:top:{ALL_TIME}") is not None

    climber = UserFactory(display_name="Climber")
    with django_capture_on_commit_callbacks(execute=True):
        give(climber, 500)
    assert board(client)[0] == ("1", "Climber", "500")


def test_cached_top_list_shows_new_points_of_a_listed_member(
    client, give, django_capture_on_commit_callbacks
):
    ana = UserFactory(display_name="Ana")
    give(ana, 10)
    give(UserFactory(display_name="Ben"), 20)
    assert board(client) == [("1", "Ben", "20"), ("2", "Ana", "10")]
    with django_capture_on_commit_callbacks(execute=True):
        give(ana, 15)
    assert board(client) == [("1", "Ana", "25"), ("2", "Ben", "20")]


def test_leaderboard_query_count_does_not_grow_with_members(client):
    def members_with_scores(count: int, start: int) -> None:
        members = UserFactory.create_batch(count)
        LeaderboardScore.objects.bulk_create(
            [
                LeaderboardScore(user=m, period=ALL_TIME, points=start + i)
                for i, m in enumerate(members)
            ]
        )

    viewer = UserFactory(display_name="Viewer")  # listed first either way: the same page
    LeaderboardScore.objects.create(user=viewer, period=ALL_TIME, points=100_000)
    client.force_login(viewer)

    def queries_for_page() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/leaderboard/")
        assert response.status_code == 200
        return len(queries)

    members_with_scores(10, start=100)
    queries_for_page()  # the first request of a test also loads the site and content types
    with_ten = queries_for_page()
    members_with_scores(110, start=1000)
    with_many = queries_for_page()

    assert with_many == with_ten
    assert with_ten <= 15


# --- Who counts towards "your rank" ------------------------------------------------------------


@pytest.fixture
def mid_table(give):
    """55 members with 10 to 550 points and "Me" with 25: #54, outside the top 50."""
    ahead = [UserFactory(display_name=f"Ahead {tens}") for tens in range(1, 56)]
    for tens, member in enumerate(ahead, start=1):
        give(member, tens * 10)
    me = UserFactory(display_name="Me")
    give(me, 25)
    return me, ahead[5]  # 60 points: one of the members ahead of me


@pytest.fixture
def superuser_client(db):
    admin = Client()  # not the member's ``client``: both are used in one test
    admin.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return admin


def test_your_rank_moves_up_when_a_member_ahead_opts_out(client, mid_table):
    me, rival = mid_table
    accounts_services.update_profile(rival, display_name="Rival", bio="", show_on_leaderboard=False)
    client.force_login(me)
    assert your_rank(client) == "You are #53 with 25 points."
    accounts_services.update_profile(rival, display_name="Rival", bio="", show_on_leaderboard=True)
    assert your_rank(client) == "You are #54 with 25 points."


def test_your_rank_moves_up_when_a_member_ahead_becomes_staff(client, mid_table):
    me, rival = mid_table
    rival.is_staff = True
    rival.save()
    client.force_login(me)
    assert your_rank(client) == "You are #53 with 25 points."


def test_your_rank_moves_up_when_an_admin_deactivates_a_member_ahead(
    client, superuser_client, mid_table
):
    me, rival = mid_table
    response = superuser_client.post(
        f"/admin/users/edit/{rival.pk}/",
        {"username": rival.username, "email": rival.email, "first_name": "R", "last_name": "V"},
    )  # "is_active" left unticked
    assert response.status_code == 302, response.context["form"].errors
    rival.refresh_from_db()
    assert not rival.is_active

    client.force_login(me)
    assert your_rank(client) == "You are #53 with 25 points."


def test_members_deactivated_together_in_the_admin_leave_the_ranks(
    client, superuser_client, mid_table, django_capture_on_commit_callbacks
):
    me, _rival = mid_table
    top_two = list(
        LeaderboardScore.objects.filter(period=ALL_TIME).order_by("-points")[:2].values("user")
    )
    assert [name for _r, name, _p in board(client)][:2] == ["Ahead 55", "Ahead 54"]
    ids = "&".join(f"id={row['user']}" for row in top_two)
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            f"/admin/bulk/accounts/user/set_active_state/?next=/admin/users/&{ids}",
            {"mark_as_active": "False"},
        )
    assert response.status_code == 302

    assert [name for _r, name, _p in board(client)][:2] == ["Ahead 53", "Ahead 52"]
    client.force_login(me)
    assert your_rank(client) == "You are #52 with 25 points."


def test_your_rank_moves_up_when_a_member_ahead_deletes_their_account(client, mid_table):
    me, rival = mid_table
    accounts_services.delete_account(rival)
    client.force_login(me)
    assert your_rank(client) == "You are #53 with 25 points."


def test_a_member_who_opted_out_earning_in_a_new_week_stays_off_the_board(client, give):
    private = UserFactory(display_name="Private")
    accounts_services.update_profile(
        private, display_name="Private", bio="", show_on_leaderboard=False
    )
    give(UserFactory(display_name="Member"), 10)
    next_week = timezone.now() + datetime.timedelta(days=8)
    with mock.patch("django.utils.timezone.now", return_value=next_week):
        give(private, 500)  # a new week's score row, made after the opt-out
        assert board(client, "week") == []
    assert LeaderboardScore.objects.filter(user=private, ranked=True).count() == 0


def test_counting_your_rank_reads_only_the_scores(client, mid_table):
    me, _rival = mid_table
    client.force_login(me)
    client.get("/leaderboard/")  # the top list is cached now
    with CaptureQueriesContext(connection) as queries:
        assert your_rank(client) == "You are #54 with 25 points."
    counts = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"].upper() and "rewards_leaderboardscore" in q["sql"]
    ]
    assert len(counts) == 1
    assert "accounts_user" not in counts[0]


def test_check_ledger_finds_and_repairs_a_member_changed_behind_its_back(mid_table):
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    _me, rival = mid_table
    get_user_model().objects.filter(pk=rival.pk).update(is_active=False)  # skips User.save()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("check_ledger", stdout=out)
    assert "1 member(s) listed or left off the leaderboards wrongly" in out.getvalue()

    call_command("check_ledger", "--repair", stdout=StringIO())
    assert not LeaderboardScore.objects.filter(user=rival, ranked=True).exists()
    call_command("check_ledger", stdout=StringIO())  # consistent now: no SystemExit


def test_your_rank_with_a_single_point_says_point(client, give):
    me = UserFactory(display_name="Me")
    give(me, 1)
    client.force_login(me)
    assert your_rank(client) == "You are #1 with 1 point."


def test_members_deleted_together_in_the_admin_leave_a_leaderboard_already_shown(
    client, superuser_client, give, django_capture_on_commit_callbacks
):
    ana, ben = UserFactory(display_name="Ana"), UserFactory(display_name="Ben")
    give(ana, 50)
    give(ben, 20)
    assert [name for _r, name, _p in board(client)] == ["Ana", "Ben"]  # the top list is cached
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            f"/admin/bulk/accounts/user/delete/?next=/admin/users/&id={ana.pk}"
        )
    assert response.status_code == 302
    assert [name for _r, name, _p in board(client)] == ["Ben"]
