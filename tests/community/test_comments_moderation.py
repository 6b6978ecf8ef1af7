"""Story comments (threaded, reactions, follow-ups, points), the moderation queue sources, the
admin menu, the topic socket, and the demo and bench seeders."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_comments_xtd.models import XtdComment

from community import services
from community.models import Category, Post, Topic
from community.services import CommunityError
from hub.moderation import get_source
from hub.notifications.models import Notification
from hub.rewards.models import Balance
from tests.factories import build_site_tree, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    _home, index = build_site_tree()
    return make_story(index, title="Trail report", cover=False)


def test_comments_thread_award_points_and_notify_followers(story, ana, ben, chen, limits):
    first = services.post_comment(by=ana, target=story, body="Lovely *photos*")
    reply = services.post_comment(by=ben, target=story, body="Agreed", parent=first)
    services.post_comment(by=chen, target=story, body="Me too", parent=reply)

    assert reply.level == 1 and reply.thread_id == first.pk
    assert Balance.objects.get(user=ana).lifetime == 2
    kinds = list(Notification.objects.filter(recipient=ana).values_list("kind", flat=True))
    assert kinds == [services.KIND_COMMENT_REPLY, services.KIND_COMMENT_REPLY]


def test_threads_stop_at_the_maximum_depth(story, ana, ben, limits, settings):
    parent = None
    for _level in range(settings.COMMENTS_XTD_MAX_THREAD_LEVEL + 1):
        parent = services.post_comment(by=ana, target=story, body="deeper", parent=parent)
    with pytest.raises(CommunityError, match="deeper"):
        services.post_comment(by=ben, target=story, body="too deep", parent=parent)


def test_the_story_page_shows_the_thread_and_a_form(client, story, ana, ben, limits):
    services.post_comment(by=ana, target=story, body="**Great** trip")
    client.force_login(ben)
    html = client.get(story.url).content.decode()
    assert "<strong>Great</strong>" in html and 'id="comment-form"' in html


def test_posting_a_comment_through_the_page(client, story, ana, limits):
    client.force_login(ana)
    response = client.post(
        reverse("community:post_comment", args=[story.pk]), {"body": "Hi", "followup": "on"}
    )
    assert response.status_code == 302
    assert XtdComment.objects.get().comment == "Hi"


def test_a_refused_comment_keeps_what_was_typed(client, story, ana, limits):
    limits.posts_per_hour = 0
    limits.save()
    client.force_login(ana)
    response = client.post(
        reverse("community:post_comment", args=[story.pk]), {"body": "My careful thoughts"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My careful thoughts" in html and "try again" in html


def test_comment_reactions_count_once(story, ana, ben, limits):
    comment = services.post_comment(by=ana, target=story, body="Hi")
    assert services.react_comment(comment, by=ben) is True
    assert services.react_comment(comment, by=ben) is False


def test_flagged_posts_reach_the_moderation_queue_and_can_be_hidden(
    ana, ben, moderator, category, limits
):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = services.create_reply(by=ben, topic=topic, body="spam spam")
    services.flag_post(post, by=ana, reason="spam", note="an ad")
    source = get_source("community.post")

    assert source.count() == 1
    item = source.items(10)[0]
    assert item.pk == post.pk and "an ad" in item.reason and item.reports == 1
    assert {a.code for a in item.actions} == {"hide", "dismiss"}
    source.act(post.pk, "hide", by=moderator, reason="Advertising")
    assert Post.objects.get(pk=post.pk).hidden and source.count() == 0


def test_flagged_comments_reach_the_queue_and_can_be_dismissed(story, ana, ben, moderator, limits):
    comment = services.post_comment(by=ana, target=story, body="Hi")
    services.flag_comment(comment, by=ben, reason="rude")
    source = get_source("community.comment")
    assert source.count() == 1
    source.act(comment.pk, "dismiss", by=moderator, reason="Fine")
    assert source.count() == 0


def test_hiding_a_comment_reverses_its_points(story, ana, ben, moderator, limits):
    comment = services.post_comment(by=ana, target=story, body="Hi")
    services.hide_comment(comment, by=moderator, reason="Off topic")
    assert Balance.objects.get(user=ana).lifetime == 0
    assert XtdComment.objects.get(pk=comment.pk).is_removed


def test_the_admin_has_one_community_menu_for_moderators(
    client, moderator, ana, ben, category, limits
):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    flag = services.flag_post(topic.posts.get(), by=ben, reason="spam")
    client.force_login(moderator)
    assert client.get(reverse("community-flags:index")).status_code == 200
    review = reverse("community_review_post", args=[flag.pk])
    assert client.get(review).status_code == 200
    response = client.post(review, {"action": "hide", "reason": "Spam"})
    assert response.status_code == 302
    assert Post.objects.get(pk=topic.posts.get().pk).hidden


def test_members_cannot_open_the_flag_queue(client, ben):
    client.force_login(ben)
    assert client.get(reverse("community-flags:index")).status_code in (302, 403)


def test_editors_manage_categories_in_the_admin(client):
    from tests.factories import make_editor

    editor = make_editor("ed", can_publish=False)
    client.force_login(editor)
    response = client.post(
        reverse("community-categories:add"),
        {
            "name": "Gear",
            "slug": "gear",
            "description": "",
            "colour": "#123456",
            "order": 1,
            "kind": "qa",
            "who_may_start": "everyone",
            "min_tier": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Category.objects.get(slug="gear").is_qa


def test_moderators_suspend_members_from_the_admin(client, moderator, ben):
    client.force_login(moderator)
    response = client.post(
        reverse("community-suspensions:add"),
        {"user": ben.pk, "until": "2099-01-01 10:00", "reason": "Cool off"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    from community.queries import active_suspension

    assert active_suspension(ben).reason == "Cool off"


def test_lifting_a_suspension_in_the_admin_goes_through_the_service_and_its_history(
    client, moderator, ben
):
    from wagtail.models import ModelLogEntry

    from community.queries import active_suspension

    suspension = services.suspend_member(
        ben, by=moderator, until=timezone.now() + timedelta(days=3), reason="Cool off"
    )
    client.force_login(moderator)
    url = reverse("community-suspensions:edit", args=[suspension.pk])
    page = client.get(url).content.decode()
    assert "Lift the suspension now" in page and 'name="until"' not in page
    response = client.post(url, {"lift_reason": "Apologised"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert active_suspension(ben) is None
    entry = ModelLogEntry.objects.get(action="community.member.unsuspended")
    assert entry.user == moderator and entry.data["reason"] == "Apologised"
    client.post(url, {"lift_reason": "Again"})  # lifting twice changes nothing
    assert ModelLogEntry.objects.filter(action="community.member.unsuspended").count() == 1


def test_the_demo_seeder_is_idempotent(db):
    from hub.demo import seeders

    log = []
    for seeder in seeders():
        seeder.func(log.append)
    counts = (Category.objects.count(), Topic.objects.count(), Post.objects.count())
    for seeder in seeders():
        seeder.func(log.append)
    assert counts == (Category.objects.count(), Topic.objects.count(), Post.objects.count())
    assert Topic.objects.filter(accepted_answer__isnull=False).exists()
    assert XtdComment.objects.exists()
    assert get_source("community.post").count() == 1  # the demo flag waits in the queue


def test_the_bench_seeder_fills_a_tiny_forum_and_its_pages_resolve(client, db):
    from community.bench import BIG_TITLE, seed_bench_forum
    from hub.bench import bench_pages, bench_user

    seed_bench_forum(lambda line: None, 0.001)
    seed_bench_forum(lambda line: None, 0.001)  # idempotent
    assert Category.objects.filter(slug__startswith="bench-").count() == 2
    assert Topic.objects.filter(title=BIG_TITLE).count() == 1
    client.force_login(bench_user("member"))
    for page in bench_pages():
        if page.name.startswith("forum"):
            assert client.get(page.resolve()).status_code == 200, page.name


def test_mentions_in_comments_link_the_profile_and_notify(client, story, ana, ben, limits):
    services.post_comment(by=ana, target=story, body="What do you think, @ben?")
    assert list(Notification.objects.filter(recipient=ben).values_list("kind", flat=True)) == [
        services.KIND_MENTION
    ]
    html = client.get(story.url).content.decode()
    assert f'<a class="mention" href="{ben.get_absolute_url()}"' in html


def test_the_story_page_comments_have_bounded_queries(
    client, story, ana, ben, limits, django_assert_max_num_queries
):
    for n in range(30):
        services.post_comment(by=ana if n % 2 else ben, target=story, body=f"Comment {n} @ana")
    client.force_login(ben)
    with django_assert_max_num_queries(40):
        assert client.get(story.url).status_code == 200


def test_the_admin_dashboard_panel_counts_the_week_and_the_flags(ana, ben, category, limits):
    from django.template.loader import render_to_string

    from hub.dashboard import panels

    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    services.create_reply(by=ben, topic=topic, body="Hello")
    services.flag_post(topic.posts.get(number=1), by=ben, reason="spam")
    panel = next(p for p in panels() if p.key == "community.activity")
    figures = panel.context()
    assert figures == {
        "topics_week": 1,
        "posts_week": 2,
        "authors_week": 2,
        "unanswered": 0,
        "open_flags": 1,
    }
    assert "Flags waiting" in render_to_string(panel.template, figures)
