"""The one moderation queue: items from every source the user may moderate, the author's record,
one-click actions through the source, errors shown (never a 500), and every decision logged."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import ModelLogEntry

from hub.rewards import services as rewards_services
from hub.rewards.models import Referral
from hub.workspace.models import ModerationDecision
from tests.factories import UserFactory
from tests.workspace.conftest import FlagError

pytestmark = pytest.mark.django_db

QUEUE = "/admin/moderation/"
ACT = "/admin/moderation/act/"


@pytest.fixture
def troll(db):
    return UserFactory(username="troll", display_name="Tro Ll")


@pytest.fixture
def posts(register_source, troll):
    return register_source(
        posts={
            1: {
                "title": "Cheap boots!!!",
                "body": "Buy at spam.example",
                "author": troll,
                "reason": "Spam (3 reports)",
                "reports": 3,
            },
            2: {
                "title": "You are all wrong",
                "body": "Rude words",
                "author": troll,
                "reason": "Abusive (1 report)",
            },
        },
        prior_flags=4,
    )


def act(client, pk, action, reason="", source="tests.post", **extra):
    data = {"source": source, "pk": pk, "action": action, "reason": reason, **extra}
    return client.post(ACT, data, follow=True)


def test_queue_lists_items_with_reason_excerpt_and_actions(editor_client, posts):
    html = editor_client.get(QUEUE).content.decode()
    assert "Cheap boots!!!" in html
    assert "Buy at spam.example" in html
    assert "Spam (3 reports)" in html
    assert "3 reports" in html
    assert 'value="hide"' in html and "Hide post" in html
    assert 'value="dismiss"' in html and "formnovalidate" in html
    assert 'name="reason"' in html and "required" in html


def test_queue_shows_the_authors_history_and_trust(editor_client, posts, troll):
    rewards_services.adjust(troll, 120, reason="Early helper", by=None)
    troll.is_active = False  # suspended by the site
    troll.save()
    html = editor_client.get(QUEUE).content.decode()
    assert "<bdi>Tro Ll</bdi> (@<bdi>troll</bdi>)" in html
    assert "<bdi>Insider</bdi>, 120 lifetime points" in html
    assert "4 items hidden or upheld before" in html
    assert "Suspended" in html


def test_acting_calls_the_source_and_shows_its_message(editor_client, editor, posts):
    response = act(editor_client, 1, "hide", reason="Link spam")
    assert response.status_code == 200
    assert "“Cheap boots!!!” hidden." in response.content.decode()
    assert posts.acted == [(1, "hide", "editor", "Link spam")]
    assert "Cheap boots!!!" not in editor_client.get(QUEUE).content.decode()


def test_an_action_that_needs_a_reason_is_refused_without_one(editor_client, posts):
    response = act(editor_client, 1, "hide", reason="  ")
    assert "Say why you chose “Hide post”" in response.content.decode()
    assert posts.acted == []


def test_an_action_without_a_reason_prompt_works_without_one(editor_client, posts):
    act(editor_client, 2, "dismiss")
    assert posts.acted == [(2, "dismiss", "editor", "")]


def test_the_sources_refusal_is_shown_not_a_500(editor_client, posts):
    posts.fail_with = FlagError("Someone else hid it a moment ago.")
    response = act(editor_client, 1, "hide", reason="spam")
    assert response.status_code == 200
    assert "Someone else hid it a moment ago." in response.content.decode()
    assert not ModerationDecision.objects.exists()


def test_a_crashing_source_is_reported_politely_and_changes_nothing(editor_client, posts):
    posts.fail_with = KeyError("boom")
    response = act(editor_client, 1, "hide", reason="spam")
    assert response.status_code == 200
    assert "Something went wrong and nothing was changed." in response.content.decode()
    assert not ModerationDecision.objects.exists()


def test_unknown_actions_sources_and_items_are_refused_politely(editor_client, posts):
    assert "That action is not available" in act(editor_client, 1, "delete").content.decode()
    assert "That queue does not exist" in act(editor_client, 1, "hide", source="x").content.decode()
    assert "could not be found" in act(editor_client, "abc", "hide").content.decode()


def test_every_decision_is_in_wagtails_history_with_who_when_and_why(editor_client, posts, troll):
    act(editor_client, 1, "hide", reason="Link spam")
    decision = ModerationDecision.objects.get()
    assert (decision.source, decision.object_pk, decision.action) == ("tests.post", "1", "hide")
    assert decision.author == troll and decision.destructive is True
    entry = ModelLogEntry.objects.get(action="workspace.moderation.decided")
    assert entry.user.username == "editor"
    assert entry.data["reason"] == "Link spam"
    assert entry.timestamp is not None
    history = editor_client.get("/admin/reports/site-history/").content.decode()
    assert "Hide post, Forum posts “Cheap boots!!!”: Link spam" in history


def test_earlier_decisions_count_in_the_authors_record(editor_client, posts):
    act(editor_client, 1, "hide", reason="Link spam")
    html = editor_client.get(QUEUE).content.decode()
    assert "1 earlier decision against them here" in html


def test_acting_needs_a_csrf_token(editor, posts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(ACT, {"source": "tests.post", "pk": 1, "action": "dismiss"})
    assert response.status_code == 403
    assert posts.acted == []


def test_get_on_the_action_url_is_not_allowed(editor_client, posts):
    assert editor_client.get(ACT).status_code == 405


def test_moderator_sees_only_the_sources_they_may_moderate(
    moderator_client, register_source, troll
):
    register_source(
        key="tests.review",
        permission="rewards.view_pointsentry",  # Moderators have it
        posts={7: {"title": "Fake review", "body": "5 stars", "author": troll, "reason": "Paid"}},
    )
    register_source(
        key="tests.secret",
        permission="rewards.change_rewardrule",  # Editors only
        posts={8: {"title": "Editors only", "body": "x", "author": troll, "reason": "?"}},
    )
    html = moderator_client.get(QUEUE).content.decode()
    assert "Fake review" in html
    assert "Editors only" not in html
    response = act(moderator_client, 8, "hide", reason="x", source="tests.secret")
    assert "You do not have permission to moderate this queue." in response.content.decode()


def test_plain_members_cannot_open_or_use_the_queue(member_client, posts):
    assert member_client.get(QUEUE).status_code == 302
    act(member_client, 1, "hide", reason="x")
    assert posts.acted == []


def test_menu_shows_the_pending_count(editor_client, posts):
    html = editor_client.get("/admin/").content.decode()
    assert "Moderation (2)" in html


def test_menu_count_is_cached_briefly_and_refreshed_after_an_action(editor_client, posts, troll):
    editor_client.get("/admin/")
    posts.posts[3] = {"title": "New", "body": "x", "author": troll, "reason": "?"}
    assert "Moderation (2)" in editor_client.get("/admin/").content.decode()  # cached
    act(editor_client, 1, "dismiss")
    assert "Moderation (2)" in editor_client.get("/admin/").content.decode()  # 3 - 1, fresh


def test_source_tabs_show_one_source(editor_client, posts, register_source, troll):
    register_source(
        key="tests.review",
        posts={7: {"title": "Fake review", "body": "5 stars", "author": troll, "reason": "Paid"}},
    )
    html = editor_client.get(QUEUE + "?source=tests.review").content.decode()
    assert "Fake review" in html
    assert "Cheap boots!!!" not in html


# --- The referral flags, the real source on this branch ----------------------------------------
@pytest.fixture
def flagged(db):
    referrer = UserFactory(username="host")
    rewards_services.referral_code_for(referrer)
    newbie = UserFactory(username="sock", email="host+1@example.com")
    return rewards_services.record_referral(newbie, code=referrer.referral_code)


def test_referral_flags_are_in_the_queue(editor_client, flagged):
    assert flagged.state == Referral.FLAGGED
    html = editor_client.get(QUEUE).content.decode()
    assert "host invited sock" in html
    assert "Same e-mail address as the member who invited them" in html
    assert "Clear flag" in html and "Reject referral" in html


def test_editor_rejects_a_referral_flag_from_the_queue(editor_client, flagged):
    response = act(
        editor_client, flagged.pk, "reject", reason="Same person", source="rewards.referral"
    )
    assert "Referral rejected" in response.content.decode()
    assert Referral.objects.get(pk=flagged.pk).state == Referral.REJECTED
    referral_log = ModelLogEntry.objects.get(action="rewards.referral.rejected")
    assert referral_log.data["reason"] == "Same person"
    assert ModerationDecision.objects.get().author.username == "host"


def test_editor_clears_a_referral_flag_from_the_queue(editor_client, flagged):
    response = act(
        editor_client, flagged.pk, "clear", reason="Her partner", source="rewards.referral"
    )
    assert "Flag cleared" in response.content.decode()
    assert Referral.objects.get(pk=flagged.pk).state in (Referral.PENDING, Referral.QUALIFIED)


def test_moderators_do_not_review_referral_flags(moderator_client, flagged):
    assert "host invited sock" not in moderator_client.get(QUEUE).content.decode()


def test_queue_query_count_does_not_grow_with_items(
    editor_client, register_source, django_assert_max_num_queries
):
    authors = [UserFactory(username=f"author{n}") for n in range(20)]
    source = register_source(posts={})
    source.posts.update(
        {
            n: {"title": f"Post {n}", "body": "x", "author": authors[n % 2], "reason": "?"}
            for n in range(2)
        }
    )
    editor_client.get(QUEUE)
    with django_assert_max_num_queries(40) as few:
        editor_client.get(QUEUE)
    source.posts.update(
        {
            n: {"title": f"Post {n}", "body": "x", "author": authors[n], "reason": "?"}
            for n in range(20)
        }
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(QUEUE)


def test_editors_group_has_the_queue(db):
    perms = Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    assert "access_moderation_queue" in perms


def test_the_author_links_to_their_profile_and_points_history(editor_client, posts):
    html = editor_client.get(QUEUE).content.decode()
    assert 'href="/u/troll/"' in html
    assert 'href="/admin/points-ledger/?q=troll"' in html


def test_a_source_that_cannot_list_its_items_shows_a_notice(editor_client, posts, register_source):
    broken = register_source(key="tests.broken")

    def fail(limit):
        raise RuntimeError("index missing")

    broken.items = fail
    broken.register()
    response = editor_client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This queue could not be loaded just now." in html
    assert "Cheap boots!!!" in html  # the other sources still show
