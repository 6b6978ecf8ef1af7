"""PostgreSQL under load: reactions from many threads count once; replies get distinct numbers."""

import threading

import pytest
from django.db import connections

from community import services
from community.models import Post, Reaction
from hub.rewards.models import Balance

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8


def hammer(target, count=THREADS):
    barrier = threading.Barrier(count)
    errors = []

    def run(n):
        try:
            barrier.wait()
            target(n)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_reaction_from_many_threads_counts_once(ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = topic.posts.get()

    errors = hammer(lambda n: services.react(Post.objects.get(pk=post.pk), "like", by=ben))

    assert errors == []
    post.refresh_from_db()
    assert Reaction.objects.filter(post=post).count() == 1
    assert post.reaction_count == 1
    assert Balance.objects.get(user=ana).lifetime == 5 + 1


def test_replies_from_many_threads_get_distinct_numbers(ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")

    errors = hammer(lambda n: services.create_reply(by=ben, topic=topic, body=f"Reply {n}"))

    assert errors == []
    numbers = sorted(Post.objects.filter(topic=topic).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 2))
    topic.refresh_from_db()
    assert topic.last_number == THREADS + 1 and topic.reply_count == THREADS


def test_moderators_hiding_a_comment_at_once_hide_it_once(ana, ben, moderator, limits):
    from django.contrib.auth.models import Group
    from django_comments_xtd.models import XtdComment
    from wagtail.models import ModelLogEntry

    from hub.notifications.models import Notification
    from hub.rewards.models import PointsEntry
    from tests.factories import UserFactory, build_site_tree, make_story

    _home, index = build_site_tree()
    story = make_story(index, title="Trail report", cover=False)
    comment = services.post_comment(by=ben, target=story, body="Cheap boots here")
    services.flag_comment(comment, by=ana, reason="spam")
    moderators = [moderator] + [UserFactory(username=f"mod{n}") for n in range(1, THREADS)]
    for user in moderators[1:]:
        user.groups.add(Group.objects.get(name="Moderators"))

    errors = hammer(
        lambda n: services.hide_comment(
            XtdComment.objects.get(pk=comment.pk), by=moderators[n], reason=f"Spam {n}"
        )
    )

    assert errors == []
    assert XtdComment.objects.get(pk=comment.pk).is_removed
    assert ModelLogEntry.objects.filter(action="community.comment.hidden").count() == 1
    assert Notification.objects.filter(recipient=ben, kind=services.KIND_MODERATED).count() == 1
    assert PointsEntry.objects.filter(user=ben, kind=PointsEntry.REVERSAL).count() == 1
    assert Balance.objects.get(user=ben).lifetime == 0
