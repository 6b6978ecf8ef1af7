"""reverse(..., by=): who took the points back is on the entry and in Wagtail's history."""

import pytest
from wagtail.models import ModelLogEntry

from hub.rewards import services
from hub.rewards.models import Balance, PointsEntry
from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

VERIFIED = "accounts.email.verified"


def test_reversal_by_a_moderator_names_them_on_the_entry_and_in_the_history(member, client):
    source, moderator = UserFactory(), make_editor("mod-ed")
    services.award(member, VERIFIED, source=source)
    entry = services.reverse(member, VERIFIED, source=source, reason="Spam", by=moderator)
    assert (entry.points, entry.reason, entry.created_by) == (-10, "Spam", moderator)
    log = ModelLogEntry.objects.get(action=services.POINTS_REVERSED)
    assert log.user == moderator
    assert int(log.object_id) == entry.pk
    assert log.data == {"reason": "Spam", "points": -10, "action": VERIFIED}
    assert Balance.objects.get(user=member).lifetime == 0
    # The site history shows it in words.
    client.force_login(make_editor("admin-reader"))
    page = client.get("/admin/reports/site-history/").content.decode()
    assert "10 points taken back: Spam" in page


def test_reversal_without_by_still_works_and_logs_nothing(member):
    source = UserFactory()
    services.award(member, VERIFIED, source=source)
    entry = services.reverse(member, VERIFIED, source=source, reason="Bounced")
    assert entry.created_by is None
    assert entry.kind == PointsEntry.REVERSAL
    assert not ModelLogEntry.objects.filter(action=services.POINTS_REVERSED).exists()


def test_a_second_reversal_by_someone_else_changes_nothing_and_logs_once(member):
    source, first, second = UserFactory(), make_editor("first"), make_editor("second")
    services.award(member, VERIFIED, source=source)
    services.reverse(member, VERIFIED, source=source, reason="Spam", by=first)
    assert services.reverse(member, VERIFIED, source=source, reason="Again", by=second) is None
    assert ModelLogEntry.objects.filter(action=services.POINTS_REVERSED).count() == 1
