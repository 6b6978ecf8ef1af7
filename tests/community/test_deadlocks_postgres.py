"""Contention on PostgreSQL without deadlocks: reactions toggled on one author's post from many
threads, and members' first replies racing their own first view of the topic."""

import threading

import pytest
from django.db import connections

from community import services
from community.models import Post, Reaction, ReadState, Topic
from hub.rewards.models import Balance
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def all_at_once(functions) -> list:
    """Run each function in its own thread and connection, released together; the errors."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait(timeout=30)
            function()
        except Exception as error:  # noqa: BLE001  (asserted by the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_reactions_toggled_from_twenty_threads_keep_counts_and_points_exact(ana, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = topic.posts.get()
    start = Balance.objects.get(user=ana).lifetime
    members = [UserFactory(username=f"r{n}") for n in range(20)]

    def toggler(n):
        def toggle():
            for turn in range(10 + n % 2):  # the odd ones end with their reaction on
                fresh = Post.objects.get(pk=post.pk)
                if turn % 2 == 0:
                    assert services.react(fresh, "like", by=members[n])
                else:
                    assert services.unreact(fresh, "like", by=members[n])

        return toggle

    errors = all_at_once([toggler(n) for n in range(20)])

    assert errors == []
    post.refresh_from_db()
    assert Reaction.objects.filter(post=post).count() == 10 == post.reaction_count
    assert Balance.objects.get(user=ana).lifetime == start + 10  # a point per reaction


def test_first_replies_racing_their_own_first_views_never_deadlock(ana, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    members = [UserFactory(username=f"v{n}") for n in range(15)]

    def reply(member):
        return lambda: services.create_reply(
            by=member, topic=Topic.objects.get(pk=topic.pk), body="Me too"
        )

    def view(member):  # what the topic page does for a signed-in member
        return lambda: services.mark_read(member, Topic.objects.get(pk=topic.pk), 10_000)

    errors = all_at_once([f(m) for m in members for f in (reply, view)])

    assert errors == []
    topic.refresh_from_db()
    assert topic.last_number == 16 and topic.reply_count == 15
    states = ReadState.objects.filter(topic=topic, user__in=members)
    assert states.count() == 15
    own = dict(Post.objects.filter(topic=topic).values_list("author_id", "number"))
    for state in states:
        assert state.last_read_number >= own[state.user_id]
