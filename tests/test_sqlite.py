"""SQLite, the embedded default, under a burst of writers: everyone waits their turn, nobody
sees "database is locked".

The test database is in memory (one connection), so the burst runs on a copy of it in a file,
with the project's own connection options (busy timeout, WAL, IMMEDIATE transactions), and each
thread opens its own connection to that file, as requests and the worker do."""

import shutil
import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, connections

from community import services
from community.models import Post, Reaction, ReadState, Topic
from hub.rewards.models import Balance
from tests.community.factories import make_category, make_topic
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="the SQLite pass only",
    ),
]

MEMBERS = 12


@pytest.fixture(scope="module")
def migrated_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """The migrated test database, copied to a file once (outside any test's transaction)."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
    return path


@pytest.fixture
def database_file(migrated_file, tmp_path):
    """A fresh copy of the migrated database for one test."""
    return shutil.copy(migrated_file, tmp_path / "hub.sqlite3")


@contextmanager
def on_file(path):
    """This thread's default connection opens ``path`` with the project's connection options."""
    original = connections["default"]
    wrapper = type(original)({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = original


def test_the_file_database_runs_in_wal_mode_with_a_busy_timeout(database_file):
    with on_file(database_file) as db, db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        assert db.transaction_mode == "IMMEDIATE"


def test_a_burst_of_replies_reactions_and_page_views_never_meets_a_locked_database(
    database_file,
):
    with on_file(database_file):
        author = UserFactory(username="author")
        members = [UserFactory(username=f"m{n}") for n in range(MEMBERS)]
        topic = make_topic(make_category("burst"), author)
        first = topic.posts.get()

    barrier = threading.Barrier(MEMBERS)
    errors = []

    def member(n):
        with on_file(database_file):
            try:
                barrier.wait(timeout=30)
                me = members[n]
                services.react(Post.objects.get(pk=first.pk), "like", by=me)
                for round_ in range(3):
                    services.create_reply(
                        by=me,
                        topic=Topic.objects.get(pk=topic.pk),
                        body=f"{n}/{round_}",
                        enforce_limits=False,
                    )
                    services.mark_read(me, Topic.objects.get(pk=topic.pk), 10_000)
                if n % 2:
                    services.unreact(Post.objects.get(pk=first.pk), "like", by=me)
            except Exception as error:  # noqa: BLE001  (asserted below)
                errors.append(error)

    threads = [threading.Thread(target=member, args=(n,)) for n in range(MEMBERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with on_file(database_file):
        topic.refresh_from_db()
        assert topic.last_number == 1 + 3 * MEMBERS == topic.reply_count + 1
        numbers = sorted(Post.objects.filter(topic=topic).values_list("number", flat=True))
        assert numbers == list(range(1, 2 + 3 * MEMBERS))
        staying = MEMBERS - MEMBERS // 2
        assert Reaction.objects.filter(post=first).count() == staying
        assert Post.objects.get(pk=first.pk).reaction_count == staying
        assert Balance.objects.get(user=author).lifetime == staying  # a point per reaction kept
        assert ReadState.objects.filter(topic=topic).count() == MEMBERS
