"""What "active" is: one MemberActivity row per signed-in member and day, written cheaply."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hub.workspace.activity import record_activity
from hub.workspace.models import MemberActivity

pytestmark = pytest.mark.django_db


def test_a_signed_in_visit_records_the_day_once(member_client, member, site_tree):
    member_client.get("/")
    member_client.get("/stories/")
    assert list(MemberActivity.objects.values_list("user", "day")) == [
        (member.pk, timezone.localdate())
    ]


def test_later_visits_that_day_cost_no_activity_query(
    member_client, member, site_tree, django_assert_max_num_queries
):
    member_client.get("/")
    with django_assert_max_num_queries(50) as first_again:
        member_client.get("/")
    assert not any("workspace_memberactivity" in q["sql"] for q in first_again.captured_queries)


def test_anonymous_visits_record_nothing(client, site_tree):
    client.get("/")
    assert not MemberActivity.objects.exists()


def test_record_activity_writes_one_row_per_day_even_when_the_cache_forgot(member):
    from django.core.cache import cache

    assert record_activity(member) is True
    assert record_activity(member) is False  # the cache says: done today
    cache.clear()
    record_activity(member)  # the unique constraint keeps it to one row
    assert MemberActivity.objects.filter(user=member).count() == 1
    yesterday = timezone.now() - timedelta(days=1)
    assert record_activity(member, when=yesterday) is True
    assert MemberActivity.objects.filter(user=member).count() == 2


def test_static_files_do_not_count_as_activity(member_client):
    member_client.get("/static/css/workspace.css")
    assert not MemberActivity.objects.exists()


def test_working_in_the_admin_is_not_community_activity(editor_client):
    editor_client.get("/admin/")
    assert not MemberActivity.objects.exists()


def test_a_failed_activity_write_does_not_fail_the_page(member_client, site_tree, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(MemberActivity.objects, "bulk_create", broken)
    assert member_client.get("/").status_code == 200
    monkeypatch.undo()
    member_client.get("/")  # retried on the next request
    assert MemberActivity.objects.count() == 1
