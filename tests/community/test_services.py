"""Forum services: writing, reactions, answers, subscriptions, read state, limits, points."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community import queries, services
from community.models import Category, Post, Reaction, ReadState, Subscription, Topic
from community.services import CommunityError
from hub.notifications.models import Notification
from hub.ratelimit import RateLimited
from hub.rewards.models import Balance
from tests.community.factories import make_category

pytestmark = pytest.mark.django_db


def points(user) -> int:
    balance = Balance.objects.filter(user=user).first()
    return balance.lifetime if balance else 0


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def topic(ana, category, limits):
    return services.create_topic(by=ana, category=category, title="Best stove?", body="Which one?")


def test_starting_a_topic_stores_its_first_post_counts_it_and_awards_points(ana, category, limits):
    topic = services.create_topic(
        by=ana, category=category, title="  Best   stove? ", body="**Which**"
    )

    assert topic.title == "Best stove?"
    first = topic.posts.get()
    assert first.number == 1 and first.html == "<p><strong>Which</strong></p>"
    category.refresh_from_db()
    assert (category.topic_count, category.post_count, category.last_topic) == (1, 1, topic)
    assert points(ana) == 5
    assert Subscription.objects.get(user=ana, topic=topic).level == Subscription.WATCH


def test_a_reply_is_numbered_counted_and_notifies_the_topic_author(topic, ana, ben):
    post = services.create_reply(by=ben, topic=topic, body="The Pika burner.")

    topic.refresh_from_db()
    assert (post.number, topic.last_number, topic.reply_count) == (2, 2, 1)
    assert points(ben) == 2
    assert kinds_for(ana) == [services.KIND_REPLY]  # a reply to them, not also "watched"


def test_watchers_hear_of_replies_and_muted_members_do_not(topic, ana, ben, chen, category):
    services.set_subscription(chen, Subscription.WATCH, category=category)
    services.create_reply(by=ben, topic=topic, body="One")
    assert kinds_for(chen) == [services.KIND_WATCHED]

    services.set_subscription(chen, Subscription.MUTE, topic=topic)
    services.create_reply(by=ben, topic=topic, body="Two")
    assert kinds_for(chen) == [services.KIND_WATCHED]


def test_mentions_link_the_profile_and_notify_once(topic, ana, ben, chen):
    post = services.create_reply(
        by=ben, topic=topic, body="Ask @chen, and `@ana` in code is not one"
    )

    assert f'<a class="mention" href="{chen.get_absolute_url()}"' in post.html
    assert "<code>@ana</code>" in post.html
    assert kinds_for(chen) == [services.KIND_MENTION]


def test_quote_reply_notifies_the_quoted_author(topic, ana, ben, chen):
    quoted = services.create_reply(by=chen, topic=topic, body="Use the Pika.")
    services.create_reply(by=ben, topic=topic, body="> Use the Pika.\n\nAgreed", reply_to=quoted)

    assert services.KIND_REPLY in kinds_for(chen)


def test_editing_keeps_a_revision_and_marks_the_post_edited(topic, ana):
    first = topic.posts.get(number=1)
    services.edit_post(first, by=ana, body="Which stove *now*?", title="Best stove in 2026?")

    first.refresh_from_db()
    topic.refresh_from_db()
    assert first.edited_at is not None and "<em>now</em>" in first.html
    assert topic.title == "Best stove in 2026?"
    assert list(first.revisions.values_list("body", "title")) == [("Which one?", "Best stove?")]


def test_members_cannot_edit_someone_elses_post(topic, ben):
    with pytest.raises(CommunityError):
        services.edit_post(topic.posts.get(number=1), by=ben, body="Mine now")


def test_deleting_a_reply_is_soft_and_takes_back_its_points(topic, ben):
    post = services.create_reply(by=ben, topic=topic, body="Oops")
    services.delete_post(post, by=ben)

    post.refresh_from_db()
    assert post.deleted_at is not None and Post.objects.filter(pk=post.pk).exists()
    assert points(ben) == 0


def test_reacting_twice_counts_once_and_awards_the_author_once(topic, ana, ben):
    post = services.create_reply(by=ben, topic=topic, body="Tip")
    assert services.react(post, Reaction.LIKE, by=ana) is True
    assert services.react(post, Reaction.LIKE, by=ana) is False

    post.refresh_from_db()
    assert post.reaction_count == 1
    assert points(ben) == 2 + 1
    assert services.KIND_REACTION in kinds_for(ben)


def test_withdrawing_a_reaction_uncounts_it_and_its_point(topic, ana, ben):
    post = services.create_reply(by=ben, topic=topic, body="Tip")
    services.react(post, "heart", by=ana)
    assert services.unreact(post, "heart", by=ana) is True
    assert services.unreact(post, "heart", by=ana) is False

    post.refresh_from_db()
    assert post.reaction_count == 0 and points(ben) == 2


def test_you_cannot_react_to_your_own_post(topic, ana):
    with pytest.raises(CommunityError):
        services.react(topic.posts.get(number=1), by=ana)


def test_the_asker_accepts_an_answer_in_a_qa_category(ana, ben, qa, limits):
    topic = services.create_topic(by=ana, category=qa, title="Which tent?", body="?")
    answer = services.create_reply(by=ben, topic=topic, body="The Pika 1")
    services.accept_answer(answer, by=ana)

    topic.refresh_from_db()
    assert topic.accepted_answer == answer
    assert points(ben) == 2 + 15
    assert services.KIND_ANSWER in kinds_for(ben)


def test_only_the_asker_or_a_moderator_accepts_and_only_in_qa(ana, ben, chen, qa, topic, limits):
    question = services.create_topic(by=ana, category=qa, title="Which tent?", body="?")
    answer = services.create_reply(by=ben, topic=question, body="The Pika 1")
    with pytest.raises(CommunityError):
        services.accept_answer(answer, by=chen)
    discussion_reply = services.create_reply(by=ben, topic=topic, body="Hi")
    with pytest.raises(CommunityError):
        services.accept_answer(discussion_reply, by=ana)


def test_staff_only_categories_refuse_members(ana, limits):
    news = make_category("news", who_may_start=Category.STAFF)
    with pytest.raises(CommunityError):
        services.create_topic(by=ana, category=news, title="Hi", body="Hi")


def test_tier_categories_need_the_tier(ana, limits):
    from hub.rewards.models import Tier

    insider = Tier.objects.get(name="Insider")
    lab = make_category("lab", who_may_start=Category.TIER, min_tier=insider)
    assert not queries.may_start_topic(ana, lab)
    Balance.objects.create(user=ana, lifetime=insider.threshold, spendable=0)
    assert queries.may_start_topic(ana, lab)


def test_locked_topics_take_no_replies_from_members(topic, ben, moderator):
    services.lock_topic(topic, by=moderator, reason="Resolved")
    with pytest.raises(CommunityError, match="locked"):
        services.create_reply(by=ben, topic=topic, body="More")


def test_a_suspended_member_is_told_why_and_until_when(topic, ben, moderator):
    until = timezone.now() + timedelta(days=3)
    services.suspend_member(ben, by=moderator, until=until, reason="Repeated insults")

    with pytest.raises(CommunityError, match="Repeated insults"):
        services.create_reply(by=ben, topic=topic, body="Hello?")
    assert services.KIND_SUSPENDED in kinds_for(ben)


def test_new_members_cannot_post_links_or_images(ana, category, site):
    with pytest.raises(CommunityError, match="New members"):
        services.create_topic(
            by=ana, category=category, title="Spam", body="[deal](https://x.example)"
        )
    topic = services.create_topic(
        by=ana, category=category, title="Hi", body="Mention @ana is fine"
    )
    assert topic.pk


def test_posting_is_rate_limited_by_the_site_setting(ana, category, limits):
    limits.posts_per_hour = 2
    limits.save()
    topic = services.create_topic(by=ana, category=category, title="One", body="1")
    services.create_reply(by=ana, topic=topic, body="2")
    with pytest.raises(RateLimited, match="try again"):
        services.create_reply(by=ana, topic=topic, body="3")


def test_reading_a_page_moves_read_state_forward_only(topic, ana, ben):
    for n in range(3):
        services.create_reply(by=ben, topic=topic, body=f"r{n}")
    services.mark_read(ben, topic, 2)
    services.mark_read(ben, topic, 1)

    assert ReadState.objects.get(user=ben, topic=topic).last_read_number == 4  # their own replies
    topic.refresh_from_db()
    assert queries.first_unread_number(topic, ana) == 2


def test_unread_counts_follow_new_replies(topic, ana, ben, category):
    services.mark_read(ben, topic, 1)
    assert queries.categories_index(ben)[0].unread == 0
    services.create_reply(by=ana, topic=topic, body="News")
    assert queries.categories_index(ben)[0].unread == 1


def test_hiding_a_post_reverses_its_points_and_closes_its_flags(topic, ana, ben, moderator):
    post = services.create_reply(by=ben, topic=topic, body="Buy cheap boots at spam.example")
    services.react(post, by=ana)
    services.flag_post(post, by=ana, reason="spam")
    assert points(ben) == 3

    services.hide_post(post, by=moderator, reason="Advertising")

    assert points(ben) == 0
    assert post.flags.get().state == "actioned"
    assert services.KIND_MODERATED in kinds_for(ben)
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="community.post.hidden")
    assert entry.user == moderator and entry.data["reason"] == "Advertising"


def test_members_cannot_moderate(topic, ben):
    with pytest.raises(CommunityError):
        services.hide_post(topic.posts.get(number=1), by=ben, reason="x")


def test_flagging_twice_is_refused_kindly(topic, ben):
    post = topic.posts.get(number=1)
    services.flag_post(post, by=ben, reason="rude")
    with pytest.raises(CommunityError, match="already flagged"):
        services.flag_post(post, by=ben, reason="rude")


def test_moving_a_topic_moves_its_counts(topic, moderator, category):
    other = make_category("elsewhere")
    services.move_topic(topic, to=other, by=moderator, reason="Belongs there")

    category.refresh_from_db()
    other.refresh_from_db()
    assert (category.topic_count, other.topic_count) == (0, 1)


def test_merging_appends_posts_after_the_target(topic, ana, ben, category, moderator):
    other = services.create_topic(by=ben, category=category, title="Dup", body="Same question")
    services.create_reply(by=ana, topic=other, body="Answer")
    target = services.merge_topics(other, into=topic, by=moderator, reason="Duplicate")

    numbers = list(
        Post.objects.filter(topic=target).order_by("number").values_list("body", "number")
    )
    assert numbers == [("Which one?", 1), ("Same question", 2), ("Answer", 3)]
    other.refresh_from_db()
    assert other.merged_into == target and other.hidden
    assert Topic.objects.get(pk=topic.pk).last_number == 3


def test_unread_counts_per_category_leave_out_what_is_read_old_hidden_merged_or_muted(
    category, ana, ben
):
    from datetime import timedelta

    from django.utils import timezone

    from community.models import ReadState, Subscription, Topic
    from tests.community.factories import make_category, make_topic

    other = make_category("gear", name="Gear")
    quiet = make_category("quiet", name="Quiet")

    def read(topic, number):
        ReadState.objects.create(user=ben, topic=topic, last_read_number=number)

    behind = make_topic(category, ana, title="Behind", posts=3)
    read(behind, 1)  # counts: read before, new posts since
    caught_up = make_topic(category, ana, title="Caught up", posts=2)
    read(caught_up, 2)  # does not count
    make_topic(category, ana, title="New and unopened")  # counts: recent, never opened
    old = make_topic(category, ana, title="Old and unopened")
    Topic.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=30))
    hidden = make_topic(category, ana, title="Hidden", posts=2)
    read(hidden, 1)
    Topic.objects.filter(pk=hidden.pk).update(hidden=True)
    merged = make_topic(category, ana, title="Merged")
    Topic.objects.filter(pk=merged.pk).update(merged_into=behind)
    muted_topic = make_topic(other, ana, title="Muted topic")
    Subscription.objects.create(user=ben, topic=muted_topic, level=Subscription.MUTE)
    make_topic(other, ana, title="Counted in gear", posts=2)
    make_topic(quiet, ana, title="In a muted category")
    Subscription.objects.create(user=ben, category=quiet, level=Subscription.MUTE)

    assert queries.unread_by_category(ben) == {category.pk: 2, other.pk: 1}
    # Another member's read state and mutes are theirs alone.
    assert queries.unread_by_category(ana) == {category.pk: 3, other.pk: 2, quiet.pk: 1}
