"""Members' forum pages from shared pieces (community/fragments.py): every change shows at once to
the member who made it and to everyone else, one member's state never reaches another, and the
CSRF token in the page is the request's own."""

import re

import pytest
from django.test import Client

from community import services as forum
from community.models import Post, Reaction
from hub import fragments
from tests.community.factories import make_topic

pytestmark = pytest.mark.django_db


def member(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def topic(category, ana, ben, limits):
    return make_topic(category, ana, title="Tent pegs", posts=3, poster=ben)


def _post(topic, number) -> Post:
    return Post.objects.get(topic=topic, number=number)


def _article(page, number) -> str:
    html = page.content.decode()
    start = html.index(f'id="p{number}"')
    return html[start : html.index("</article>", start)]


def test_plain_members_share_a_rendered_post(topic, ben, chen, settings):
    url = topic.get_absolute_url()
    member(ben).get(url)
    kept = len(fragments_posts())
    member(chen).get(url)
    # Chen sees post 1 (Ana's) as Ben does: no post was rendered again for him.
    assert len(fragments_posts()) <= kept + 2  # only Ben's own posts differ for Chen


def fragments_posts():
    from community.fragments import POSTS

    return POSTS


def test_a_reaction_shows_at_once_to_the_member_and_to_others(topic, ben, chen):
    url = topic.get_absolute_url()
    ben_client, chen_client = member(ben), member(chen)
    ben_client.get(url), chen_client.get(url)
    forum.react(_post(topic, 1), "heart", by=ben)
    mine = _article(ben_client.get(url), 1)
    theirs = _article(chen_client.get(url), 1)
    assert 'name="undo" value="heart" aria-pressed="true"' in mine
    assert 'value="heart" aria-pressed="false"' in theirs
    assert 'aria-pressed="true"' not in theirs  # Ben's "mine" never reaches Chen


def test_an_edit_shows_at_once_to_other_members(topic, ana, chen):
    url = topic.get_absolute_url()
    chen_client = member(chen)
    chen_client.get(url)
    forum.edit_post(_post(topic, 1), by=ana, body="Edited: bring spare pegs.")
    assert "Edited: bring spare pegs." in _article(chen_client.get(url), 1)
    assert "Edited: bring spare pegs." in _article(member(ana).get(url), 1)


def test_a_hidden_post_disappears_at_once_and_moderator_links_stay_with_moderators(
    topic, chen, moderator
):
    url = topic.get_absolute_url()
    chen_client, mod_client = member(chen), member(moderator)
    chen_client.get(url), mod_client.get(url)
    forum.hide_post(_post(topic, 2), by=moderator, reason="spam")
    for_chen = chen_client.get(url)
    assert "Post number 2" not in _article(for_chen, 2)
    assert "hidden by a moderator" in _article(for_chen, 2)
    for_mod = _article(mod_client.get(url), 2)
    assert "Post number 2" in for_mod and "/restore/" in for_mod
    # The moderator's links never reach a plain member's page, before or after.
    assert b"/restore/" not in chen_client.get(url).content
    assert b"/hide/" not in chen_client.get(url).content


def test_an_accepted_answer_shows_at_once_to_everyone(qa, ana, ben, chen, limits):
    topic = make_topic(qa, ana, title="Which pegs?", posts=3, poster=ben)
    url = topic.get_absolute_url()
    ana_client, chen_client = member(ana), member(chen)
    assert "Accept as answer" in _article(ana_client.get(url), 2)
    assert "Accept as answer" not in _article(chen_client.get(url), 2)
    forum.accept_answer(_post(topic, 2), by=ana)
    assert "Unaccept answer" in _article(ana_client.get(url), 2)
    for_chen = _article(chen_client.get(url), 2)
    assert "post__answer-mark" in for_chen and "Unaccept answer" not in for_chen


def test_the_page_carries_the_requests_own_token_and_posting_with_it_works(topic, chen):
    client = member(chen, enforce_csrf_checks=True)
    page = client.get(topic.get_absolute_url())
    html = page.content.decode()
    assert str(fragments.CSRF_MARK) not in html
    form = _article(page, 1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    react_url = re.search(r'<form class="reactions-form" method="post" action="([^"]+)"', form)
    response = client.post(react_url.group(1), {"kind": "like", "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert Reaction.objects.filter(user=chen, post=_post(topic, 1), kind="like").exists()


def test_a_token_written_into_a_post_is_not_filled_in(topic, ana, chen):
    """Only the secret mark is replaced: a post cannot make the page print a member's token."""
    forum.edit_post(_post(topic, 1), by=ana, body="csrf-mark- and csrfmiddlewaretoken")
    page = member(chen).get(topic.get_absolute_url())
    assert "csrf-mark- and csrfmiddlewaretoken" in _article(page, 1)


def test_member_topic_page_queries_stay_flat(
    category, ana, ben, chen, limits, django_assert_max_num_queries
):
    small = make_topic(category, ana, title="Small", posts=2, poster=ben)
    big = make_topic(category, ana, title="Big", posts=20, poster=ben)
    Post.objects.filter(topic=big).update(topic=big)  # (same rows; reactions below)
    for post in Post.objects.filter(topic=big)[:10]:
        forum.react(post, "like", by=chen)
    client = member(chen)
    client.get(small.get_absolute_url())
    client.get(big.get_absolute_url())
    with django_assert_max_num_queries(5):
        # Kept: the topic, its posts and their pieces. Read: the session (the test cache keeps
        # none), the member, their read marker and subscription, reactions and bell.
        client.get(big.get_absolute_url())
    fragments.clear_all()
    with django_assert_max_num_queries(18):
        client.get(big.get_absolute_url())  # everything rendered again


def test_member_category_page_shares_topic_rows_and_shows_unread(category, ana, ben, chen, limits):
    topic = make_topic(category, ana, title="Unread here", posts=2, poster=ben)
    chen_client = member(chen)
    first = chen_client.get(category.get_absolute_url()).content.decode()
    assert "Unread here" in first and "unread-count--new" in first
    chen_client.get(topic.get_absolute_url())  # reads it (after the response)
    again = chen_client.get(category.get_absolute_url()).content.decode()
    assert "unread-count--new" not in again


def test_becoming_or_ceasing_to_be_a_moderator_applies_on_the_next_page(topic, chen):
    from django.contrib.auth.models import Group

    url = topic.get_absolute_url()
    client = member(chen)
    assert b"Moderate this topic" not in client.get(url).content
    moderators = Group.objects.get(name="Moderators")
    chen.groups.add(moderators)
    assert b"Moderate this topic" in client.get(url).content
    chen.groups.remove(moderators)
    assert b"Moderate this topic" not in client.get(url).content


def test_a_suspension_and_its_lifting_show_at_once(topic, chen, moderator):
    from datetime import timedelta

    from django.utils import timezone

    url = topic.get_absolute_url()
    client = member(chen)
    assert "React" in _article(client.get(url), 1)
    suspension = forum.suspend_member(
        chen, by=moderator, until=timezone.now() + timedelta(days=1), reason="Cooling off"
    )
    page = client.get(url)
    assert b"community-suspended" in page.content
    assert "reactions-form" not in _article(page, 1)
    forum.lift_suspension(suspension, by=moderator)
    page = client.get(url)
    assert b"community-suspended" not in page.content
    assert "reactions-form" in _article(page, 1)


def _reads_of(queries, table) -> list[str]:
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_a_topic_and_its_page_of_posts_are_read_once_per_change(topic, ana, ben, chen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = topic.get_absolute_url()
    member(chen).get(url)
    ben_client = member(ben)
    with CaptureQueriesContext(connection) as seen:
        page = ben_client.get(url)
    assert page.status_code == 200 and "Tent pegs" in page.content.decode()
    # Kept from Chen's request: no member reads the topic or its posts again...
    assert not _reads_of(seen.captured_queries, "community_topic")
    assert not _reads_of(seen.captured_queries, "community_post")
    # ...until a change: a new reply shows at once, for Ben and for Chen.
    forum.create_reply(by=ana, topic=topic, body="Bring spare pegs")
    with CaptureQueriesContext(connection) as seen:
        page = ben_client.get(url)
    assert "Bring spare pegs" in page.content.decode()
    assert _reads_of(seen.captured_queries, "community_post")
    assert "Bring spare pegs" in member(chen).get(url).content.decode()


def test_a_kept_topic_is_gone_at_once_when_its_first_post_is_hidden(topic, chen, moderator):
    url = topic.get_absolute_url()
    chen_client = member(chen)
    assert chen_client.get(url).status_code == 200
    forum.hide_post(_post(topic, 1), by=moderator, reason="Spam")
    assert chen_client.get(url).status_code == 404
    assert member(moderator).get(url).status_code == 200
