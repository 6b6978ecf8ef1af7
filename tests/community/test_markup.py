"""A member's topic page stays lean: one reaction form per post, actions as links the page's one
script posts (with a page holding the form for readers without JavaScript), and no more than
about 1.5× the bytes an anonymous reader gets. Reply threads an answer to a post."""

import re

import pytest
from django.urls import reverse

from community import rendering, services
from community.models import Category, Reaction
from hub.notifications.models import Notification
from tests.community.factories import make_category, make_topic
from tests.factories import build_site_tree, make_story

pytestmark = pytest.mark.django_db

BODY = (
    "I carried the {n} on the northern loop last week. It kept going below zero, the pot "
    "stand is steady and the simmer control is better than I expected. **Fuel use** was about "
    "30 g a day for two people, coffee included. Would I take it again? Yes, for trips longer "
    "than three days."
)


@pytest.fixture
def big_topic(ana, ben, chen, limits):
    """A Q&A topic of 20 posts by Ben and Chen, started by Ana, with reactions on every post."""
    qa = make_category("questions", name="Questions", kind=Category.QA)
    topic = make_topic(qa, ana, title="Which stove for winter?", posts=20, poster=ben)
    for post in topic.posts.all():
        post.body = BODY.format(n=post.number)
        post.html = rendering.render_post(post.body)[0]
        if post.number % 2:
            post.author = chen
        post.save()
    for post in topic.posts.select_related("author"):
        for member in (ana, ben, chen):
            if member != post.author:
                services.react(post, Reaction.LIKE, by=member)
                services.react(post, "heart", by=member)
    return topic


def _forms(html: str) -> list[str]:
    return re.findall(r"<form\b[^>]*>", html)


def test_the_member_topic_page_is_at_most_half_again_the_anonymous_page(client, big_topic, ana):
    anonymous = client.get(big_topic.get_absolute_url())
    client.force_login(ana)
    member = client.get(big_topic.get_absolute_url())

    assert anonymous.status_code == member.status_code == 200
    assert len(member.content) <= 1.5 * len(anonymous.content), (
        len(member.content),
        len(anonymous.content),
    )


def test_the_member_topic_page_has_one_reaction_form_per_post_and_few_others(
    client, big_topic, ana
):
    client.force_login(ana)
    html = client.get(big_topic.get_absolute_url()).content.decode()

    forms = _forms(html)
    reaction_forms = [f for f in forms if "/react/" in f]
    assert len(reaction_forms) == 20  # Ana may react to every post: one form each
    for post in big_topic.posts.all():
        assert html.count(f'action="{reverse("community:react", args=[post.pk])}"') == 1
    # Besides: the reply form, the topic's notification level, and the header's and footer's
    # (search, the bell's "mark all read", sign out, language).
    assert len(forms) - len(reaction_forms) <= 8
    assert html.count('name="csrfmiddlewaretoken"') <= len(forms)
    # Accept, delete and friends are links the page's script posts.
    assert 'data-post-action href="' not in html  # attribute order is not what matters
    assert html.count("data-post-action") == 19  # accept on every reply


def test_reacting_without_javascript_posts_the_post_s_one_form(client, big_topic, ana):
    post = big_topic.posts.get(number=2)
    url = reverse("community:react", args=[post.pk])
    client.force_login(ana)

    response = client.post(url, {"kind": "laugh"})  # the picker's button
    assert response.status_code == 302 and response["Location"].endswith("#p2")
    assert set(post.reactions.filter(user=ana).values_list("kind", flat=True)) == {
        "like",
        "heart",
        "laugh",
    }

    client.post(url, {"undo": "heart"})  # Ana's own heart, pressed again
    assert set(post.reactions.filter(user=ana).values_list("kind", flat=True)) == {
        "like",
        "laugh",
    }


def test_the_script_gets_the_fresh_reaction_form_back(client, big_topic, ana):
    post = big_topic.posts.get(number=2)
    client.force_login(ana)
    response = client.post(
        reverse("community:react", args=[post.pk]),
        {"kind": "laugh"},
        headers={"X-Requested-With": "fetch"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert len(_forms(html)) == 1
    assert 'name="undo" value="laugh"' in html and 'aria-pressed="true"' in html


def test_accept_and_delete_links_open_a_page_holding_the_form(client, big_topic, ana, chen):
    post = big_topic.posts.get(number=3)  # Chen's
    client.force_login(ana)
    page = client.get(reverse("community:accept_answer", args=[post.pk]))
    assert page.status_code == 200 and len(_forms(page.content.decode())) >= 1
    assert client.get(reverse("community:delete_post", args=[post.pk])).status_code == 403

    client.post(reverse("community:accept_answer", args=[post.pk]))
    big_topic.refresh_from_db()
    assert big_topic.accepted_answer_id == post.pk

    client.force_login(chen)
    assert client.get(reverse("community:delete_post", args=[post.pk])).status_code == 200
    answer = client.post(
        reverse("community:delete_post", args=[post.pk]), headers={"X-Requested-With": "fetch"}
    )
    assert answer.json()["location"].endswith("#p3")
    post.refresh_from_db()
    assert post.deleted_at is not None


def test_only_moderators_see_the_hide_page(client, big_topic, ben, moderator):
    post = big_topic.posts.get(number=3)
    url = reverse("community:moderate_post", args=[post.pk, "hide"])
    client.force_login(ben)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    page = client.get(url).content.decode()
    assert 'name="reason"' in page
    client.post(url, {"reason": "Off topic"})
    post.refresh_from_db()
    assert post.hidden


def test_reply_threads_the_answer_and_notifies_the_parent_s_author(
    client, big_topic, ana, ben, chen
):
    parent = big_topic.posts.get(number=3)  # Chen's
    client.force_login(ben)
    page = client.get(f"{big_topic.get_absolute_url()}?reply={parent.pk}").content.decode()
    assert "Replying to:" in page and "@chen" in page
    assert f'name="reply_to" value="{parent.pk}"' in page
    assert "@chen wrote" not in page  # a reply, not a quote

    client.post(
        reverse("community:reply", args=[big_topic.pk]),
        {"body": "Same here: it simmers well.", "reply_to": parent.pk},
    )

    reply = big_topic.posts.order_by("-number").first()
    assert reply.reply_to == parent and reply.body == "Same here: it simmers well."
    assert Notification.objects.filter(
        recipient=chen, kind=services.KIND_REPLY, target_id=str(reply.pk)
    ).exists()
    # The topic's author hears of it only as a watcher, not as the one answered.
    assert not Notification.objects.filter(recipient=ana, kind=services.KIND_REPLY).exists()
    html = client.get(reply.get_absolute_url(), follow=True).content.decode()
    assert "In reply to" in html and reverse("community:post", args=[parent.pk]) in html


def test_a_reply_to_a_hidden_post_is_not_threaded(client, big_topic, ben, moderator):
    parent = big_topic.posts.get(number=3)
    services.hide_post(parent, by=moderator, reason="Spam")
    client.force_login(ben)
    page = client.get(f"{big_topic.get_absolute_url()}?reply={parent.pk}").content.decode()
    assert 'name="reply_to" value=' not in page


def test_the_member_topic_page_queries_stay_flat(
    client, big_topic, ana, django_assert_max_num_queries
):
    client.force_login(ana)
    client.get(big_topic.get_absolute_url())  # the first visit stores where Ana has read to
    with django_assert_max_num_queries(30):
        assert client.get(big_topic.get_absolute_url()).status_code == 200
    parent = big_topic.posts.get(number=3)
    with django_assert_max_num_queries(30):
        assert client.get(f"{big_topic.get_absolute_url()}?reply={parent.pk}").status_code == 200


@pytest.fixture
def story(db):
    _home, index = build_site_tree()
    return make_story(index, title="Trail report", cover=False)


def test_story_comments_have_one_reaction_form_each_and_reply_through_the_main_form(
    client, story, ana, ben, chen, limits
):
    comments = [
        services.post_comment(by=ben if n % 2 else chen, target=story, body=f"Nice {n}")
        for n in range(6)
    ]
    services.react_comment(comments[0], by=ben)
    client.force_login(ana)
    html = client.get(story.url).content.decode()
    assert len(re.findall(r"<form\b[^>]*/react/", html)) == 6
    assert "<textarea" in html and html.count("<textarea") == 1  # no reply form per comment

    page = client.get(f"{story.url}?reply={comments[1].pk}").content.decode()
    assert "Replying to:" in page and f'name="parent" value="{comments[1].pk}"' in page

    url = reverse("community:react_comment", args=[comments[0].pk])
    fresh = client.post(url, {"kind": "like"}, headers={"X-Requested-With": "fetch"})
    assert 'aria-pressed="true"' in fresh.content.decode()
    client.post(url, {"undo": "like"})  # without JavaScript
    assert not Reaction.objects.filter(comment_id=comments[0].pk, user=ana).exists()


def test_deleting_a_comment_without_javascript_goes_through_a_confirmation_page(
    client, story, ben, limits
):
    comment = services.post_comment(by=ben, target=story, body="Oops")
    client.force_login(ben)
    url = reverse("community:delete_comment", args=[comment.pk])
    page = client.get(url).content.decode()
    assert "Delete this comment?" in page and '<form method="post"' in page
    client.post(url)
    comment.refresh_from_db()
    assert comment.is_removed


def test_a_visitor_s_react_and_reply_lead_to_sign_in_and_back(client, big_topic):
    post = big_topic.posts.get(number=2)
    html = client.get(big_topic.get_absolute_url()).content.decode()
    react_url = reverse("community:react", args=[post.pk])
    assert f'href="{react_url}"' in html and "<form" not in html.split('id="p2"')[1][:2000]
    assert "%26reply%3D" in html  # Reply: sign in, then back to the topic answering that post

    login = client.get(react_url)
    assert login.status_code == 302 and "next=" in login["Location"]
