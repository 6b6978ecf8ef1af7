"""A flagged story comment in the admin: its link on the site, its review page (the story, the
conversation, the author's record, the flags) and the decisions taken there or from the one
moderation queue, each logged in Wagtail's history."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_comments_xtd.models import XtdComment
from wagtail.models import ModelLogEntry

from community import queries, services
from community.models import Flag
from hub.notifications.models import Notification
from hub.rewards.models import Balance
from hub.workspace.models import ModerationDecision
from tests.factories import UserFactory, build_site_tree, make_editor, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    _home, index = build_site_tree()
    return make_story(index, title="Trail report", cover=False)


@pytest.fixture
def conversation(story, ana, ben, chen, limits):
    """chen's comment, ben's reply (flagged by ana and chen), and ana's answer to it."""
    first = services.post_comment(by=chen, target=story, body="Lovely *photos*")
    flagged = services.post_comment(
        by=ben, target=story, body="Cheap boots at example.com", parent=first
    )
    answer = services.post_comment(
        by=ana, target=story, body="Please don't advertise", parent=flagged
    )
    services.flag_comment(flagged, by=ana, reason=Flag.SPAM, note="an advert")
    services.flag_comment(flagged, by=chen, reason=Flag.RUDE)
    return first, flagged, answer


def review_url(comment, **query) -> str:
    url = reverse("community_review_comment", args=[comment.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_comment_links_to_its_place_on_its_story(client, story, conversation):
    _first, flagged, _answer = conversation
    expected = f"{story.url}#c{flagged.pk}"

    assert XtdComment.objects.get(pk=flagged.pk).get_absolute_url() == expected
    assert queries.comment_url(flagged) == expected
    page = client.get(story.url).content.decode()
    assert f'id="c{flagged.pk}"' in page


def test_the_review_page_shows_the_comment_in_its_context(client, moderator, story, conversation):
    first, flagged, answer = conversation
    client.force_login(moderator)

    response = client.get(review_url(flagged))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cheap boots at example.com" in page
    assert f'href="{story.url}#c{flagged.pk}"' in page  # the comment on the site
    assert f'href="{story.url}"' in page and "Trail report" in page  # the story
    assert "Lovely <em>photos</em>" in page and "Please don't advertise" in page  # thread
    assert 'aria-current="true"' in page
    assert "an advert" in page and "Ana Souza" in page and "Chen Wei" in page  # open flags
    assert "1 story comment" in page and "In good standing" in page  # the author's record
    assert review_url(first) in page and review_url(answer) in page


def test_the_review_page_tells_a_suspended_author_and_earlier_hidden_comments(
    client, moderator, story, conversation, ben
):
    from datetime import timedelta

    from django.utils import timezone

    earlier = services.post_comment(by=ben, target=story, body="Earlier nonsense")
    services.hide_comment(earlier, by=moderator, reason="Nonsense")
    services.suspend_member(
        ben, by=moderator, until=timezone.now() + timedelta(days=2), reason="Cool off"
    )
    client.force_login(moderator)

    page = client.get(review_url(conversation[1])).content.decode()

    assert "0 posts, 1 comment" in page
    assert "Read-only until" in page and "Cool off" in page
    assert "Hide comment: Nonsense" not in page  # that decision was about the other comment


def test_hiding_from_the_review_page_tells_the_author_and_is_logged(
    client, moderator, story, conversation, ben
):
    _first, flagged, _answer = conversation
    assert Balance.objects.get(user=ben).lifetime == 2
    client.force_login(moderator)

    response = client.post(review_url(flagged), {"action": "hide", "reason": "Advertising"})

    assert response.status_code == 302
    assert response.url == reverse("community-comments:index")
    assert XtdComment.objects.get(pk=flagged.pk).is_removed
    assert not Flag.objects.filter(comment=flagged, state=Flag.OPEN).exists()
    assert Balance.objects.get(user=ben).lifetime == 0
    entry = ModelLogEntry.objects.get(action="community.comment.hidden")
    assert entry.user == moderator and entry.data == {"reason": "Advertising"}
    assert entry.object_id == str(flagged.pk)
    notice = Notification.objects.get(recipient=ben, kind=services.KIND_MODERATED)
    assert "Trail report" in notice.text and "Advertising" in notice.text
    assert notice.url == f"{story.url}#comments"
    # Members no longer read it; the reply under it keeps its place.
    page = client.get(story.url).content.decode()
    assert "Cheap boots" not in page and "This comment was removed." in page
    # The review page now offers to restore it, and shows the decision.
    page = client.get(review_url(flagged)).content.decode()
    assert 'value="restore"' in page and 'value="hide"' not in page
    assert "Hide comment: Advertising" in page


def test_hiding_needs_a_reason_the_author_will_read(client, moderator, conversation):
    client.force_login(moderator)

    response = client.post(review_url(conversation[1]), {"action": "hide", "reason": " "})

    assert response.status_code == 200
    assert "Say why the comment is hidden" in response.content.decode()
    assert not XtdComment.objects.get(pk=conversation[1].pk).is_removed


def test_restoring_and_dismissing_from_the_review_page_are_logged(
    client, moderator, conversation, ben
):
    _first, flagged, _answer = conversation
    services.hide_comment(flagged, by=moderator, reason="Advertising")
    client.force_login(moderator)

    client.post(review_url(flagged), {"action": "restore", "reason": "It was a fair tip"})
    assert not XtdComment.objects.get(pk=flagged.pk).is_removed
    restored = ModelLogEntry.objects.get(action="community.comment.restored")
    assert restored.data == {"reason": "It was a fair tip"} and restored.user == moderator

    services.flag_comment(flagged, by=UserFactory(username="dee"), reason=Flag.OFF_TOPIC)
    response = client.post(review_url(flagged), {"action": "dismiss", "reason": "On topic"})
    assert response.status_code == 302
    assert not Flag.objects.filter(comment=flagged, state=Flag.OPEN).exists()
    dismissed = ModelLogEntry.objects.get(action="community.flags.dismissed")
    assert dismissed.object_id == str(flagged.pk) and dismissed.data["flags"] == 1


def test_the_review_page_goes_back_to_where_the_moderator_came_from(
    client, moderator, conversation
):
    client.force_login(moderator)
    queue = reverse("moderation_queue")

    page = client.get(review_url(conversation[1], next=queue)).content.decode()
    assert f'name="next" value="{queue}"' in page
    response = client.post(
        review_url(conversation[1]), {"action": "dismiss", "reason": "", "next": queue}
    )
    assert response.url == queue
    response = client.post(
        review_url(conversation[2]), {"action": "dismiss", "next": "https://evil.example/"}
    )
    assert response.url == reverse("community-comments:index")


def test_editors_and_moderators_open_the_review_page_and_members_cannot(
    client, moderator, conversation, ana
):
    url = review_url(conversation[1])
    client.force_login(make_editor("editor"))
    assert client.get(url).status_code == 200
    client.force_login(moderator)
    assert client.get(url).status_code == 200
    client.force_login(ana)
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.post(url, {"action": "dismiss"})
    assert Flag.objects.filter(comment=conversation[1], state=Flag.OPEN).count() == 2


def test_the_review_page_reads_a_fixed_number_of_queries(
    client, moderator, story, conversation, ana, ben, django_assert_max_num_queries
):
    for n in range(20):
        services.post_comment(by=ana if n % 2 else ben, target=story, body=f"More {n}")
    flagged = conversation[1]
    for n in range(10):
        services.post_comment(by=ana, target=story, body=f"@chen {n}", parent=conversation[0])
    client.force_login(moderator)
    client.get(review_url(flagged))  # warm the caches (tiers, site root paths)

    with django_assert_max_num_queries(23):
        assert client.get(review_url(flagged)).status_code == 200


def test_the_review_page_of_a_long_conversation_says_how_many_are_not_shown(
    client, moderator, story, ana, ben, limits, settings
):
    first = services.post_comment(by=ana, target=story, body="Start")
    for n in range(queries.THREAD_SHOWN + 1):
        services.post_comment(by=ben, target=story, body=f"Reply {n}", parent=first)
    client.force_login(moderator)

    page = client.get(review_url(first)).content.decode()

    assert "2 more comments in this conversation are not shown." in page


# --- The one moderation queue ----------------------------------------------------------------
def test_the_queue_lists_flagged_story_comments_with_their_links(
    client, moderator, story, conversation
):
    flagged = conversation[1]
    client.force_login(moderator)

    response = client.get(reverse("moderation_queue") + "?source=community.comment")

    page = response.content.decode()
    assert response.status_code == 200
    assert "could not be loaded" not in page
    assert "Comment by Ben Okafor on “Trail report”" in page
    assert "Cheap boots at example.com" in page and "an advert" in page
    assert f'href="{story.url}#c{flagged.pk}"' in page
    assert f'href="{review_url(flagged)}?next=' in page


def test_the_queue_says_what_the_forum_knows_of_the_author(story, conversation, ben, moderator):
    from hub.moderation import get_source

    earlier = services.post_comment(by=ben, target=story, body="Earlier nonsense")
    services.hide_comment(earlier, by=moderator, reason="Nonsense")

    [item] = get_source("community.comment").items(10)

    assert item.author == ben and item.author_prior_flags == 1 and item.author_suspended is False
    assert item.admin_url == review_url(conversation[1])


def test_the_queue_hides_a_story_comment_in_one_click(client, moderator, story, conversation, ben):
    flagged = conversation[1]
    client.force_login(moderator)

    response = client.post(
        reverse("moderation_act"),
        {"source": "community.comment", "pk": flagged.pk, "action": "hide", "reason": "Spam"},
    )

    assert response.status_code == 302
    assert XtdComment.objects.get(pk=flagged.pk).is_removed
    decision = ModerationDecision.objects.get()
    assert decision.source == "community.comment" and decision.author == ben
    assert decision.title == "Comment by Ben Okafor on “Trail report”"
    assert ModelLogEntry.objects.filter(action="community.comment.hidden").count() == 1
    assert Notification.objects.filter(recipient=ben, kind=services.KIND_MODERATED).count() == 1
    page = client.get(reverse("moderation_queue")).content.decode()
    assert "Cheap boots" not in page


def test_the_queue_reads_the_same_queries_for_one_or_many_flagged_comments(
    client, moderator, story, ana, ben, chen, limits, django_assert_max_num_queries
):
    client.force_login(moderator)

    def flagged_comments(count):
        for n in range(count):
            comment = services.post_comment(by=ben if n % 2 else chen, target=story, body=f"Ad {n}")
            services.flag_comment(comment, by=ana, reason=Flag.SPAM)

    flagged_comments(1)
    url = reverse("moderation_queue") + "?source=community.comment"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    flagged_comments(8)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Ad 7" in client.get(url).content.decode()


def test_hiding_a_comment_twice_tells_its_author_once(story, conversation, ben, moderator):
    other = make_editor("other-mod")
    other.groups.add(Group.objects.get(name="Moderators"))

    services.hide_comment(conversation[1], by=moderator, reason="Spam")
    services.hide_comment(XtdComment.objects.get(pk=conversation[1].pk), by=other, reason="Spam")
    services.hide_comment(conversation[1], by=other, reason="Spam")  # a stale copy: still shown

    assert Notification.objects.filter(recipient=ben, kind=services.KIND_MODERATED).count() == 1
    assert ModelLogEntry.objects.filter(action="community.comment.hidden").count() == 1


def test_the_bench_seeds_a_flagged_conversation_and_times_its_review_page(client, story):
    from community.bench import seed_bench_forum
    from hub.bench import bench_pages, bench_user

    seed_bench_forum(lambda line: None, 0.001)
    seed_bench_forum(lambda line: None, 0.001)  # idempotent
    assert XtdComment.objects.count() == 10
    assert Flag.objects.filter(comment__isnull=False, state=Flag.OPEN).count() == 1
    [page] = [p for p in bench_pages() if p.name == "story comment review (admin)"]
    client.force_login(bench_user("superuser"))
    response = client.get(page.resolve())
    assert response.status_code == 200 and "Bench flag" in response.content.decode()
