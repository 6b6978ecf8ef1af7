"""Shared fixtures: a published site tree, members, and the PostgreSQL/e2e markers' plumbing."""

import json
import os
import shutil

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.creation import BaseDatabaseCreation

from tests import factories

_deserialize_db = BaseDatabaseCreation.deserialize_db_from_string


def _deserialize_over_recreated_rows(self, data):
    """Restore a serialized_rollback snapshot even after a plain transactional test.

    Such a test flushes the database and post_migrate then recreates content types and
    permissions under new ids; the snapshot brings them back under their original ids, which
    would collide on (app_label, model). The snapshot holds them all, so clear them first.
    """
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    alias = self.connection.alias
    rows = json.loads(data)
    snapshot = {
        (row["pk"], row["fields"]["app_label"], row["fields"]["model"])
        for row in rows
        if row["model"] == "contenttypes.contenttype"
    }
    present = set(ContentType.objects.using(alias).values_list("pk", "app_label", "model"))
    if not present <= snapshot:  # flushed, then recreated under other ids: nothing else is left
        Permission.objects.using(alias).all().delete()
        ContentType.objects.using(alias).all().delete()
    ContentType.objects.clear_cache()
    # Content types first: saving some restored rows looks their content type up (and would
    # create it afresh if its row were not back yet).
    first = {"contenttypes.contenttype": 0, "auth.permission": 1}
    rows.sort(key=lambda row: first.get(row["model"], 2))
    _deserialize_db(self, json.dumps(rows))


BaseDatabaseCreation.deserialize_db_from_string = _deserialize_over_recreated_rows


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL + Redis: run with DATABASE_URL and REDIS_URL"
    )
    skip_e2e = pytest.mark.skip(
        reason="browser test: run with `pytest -m e2e` (needs /usr/bin/chromium)"
    )
    run_e2e = "e2e" in (config.getoption("-m") or "")
    for item in items:
        if "postgres" in item.keywords and not (on_postgres and settings.REDIS_URL):
            item.add_marker(skip_pg)
        if "e2e" in item.keywords and not run_e2e:
            item.add_marker(skip_e2e)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploads go to a per-test folder that is removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.utils import translation

    from hub import fragments
    from hub.workspace import activity

    cache.clear()
    fragments.clear_all()
    activity._RECORDED.clear()
    # A transactional test's flush removes content types that this process still remembers.
    ContentType.objects.clear_cache()
    yield
    cache.clear()
    ContentType.objects.clear_cache()
    # The test client leaves the last request's language active in this thread: the next test
    # would reverse its addresses in it (/he/community/...).
    translation.deactivate()


@pytest.fixture
def site_tree(db):
    """A published home page with a story index, as seed_demo builds it (no demo stories)."""
    return factories.build_site_tree()


@pytest.fixture
def member(db):
    return factories.UserFactory(username="ana", display_name="Ana Souza")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop


@pytest.fixture
def pushed(monkeypatch):
    """Every (group, message) handed to the channel layer, captured instead of sent."""
    from hub import realtime

    sent = []

    def capture(messages):
        sent.extend(messages)
        return True

    monkeypatch.setattr(realtime, "send_to_groups", capture)
    return sent
