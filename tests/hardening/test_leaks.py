"""Nothing removed stays readable, no moderation decision is undone by its author, and no rule has a
side door (issue 13, items 8, 9, 11, 13, 14)."""

import csv
import datetime
import io

import django_comments
import pytest
from django.urls import reverse
from django.utils import timezone

from community import services as community
from community.models import Post
from events import services as events
from events.models import RSVP
from feedback import services as feedback
from feedback.models import Product, Review
from hub.accounts.services import delete_account
from hub.errors import Refusal
from hub.rewards.services import award
from tests.community.factories import make_topic
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, build_site_tree, make_editor, make_story
from tests.feedback.factories import ProductFactory

pytestmark = pytest.mark.django_db


# --- 8. Deleted and hidden posts, removed comments ---------------------------------------------
@pytest.fixture
def hidden_reply(ana, ben, category, moderator):
    topic = make_topic(category, ana, posts=2, poster=ben)
    post = topic.posts.get(number=2)
    post.body = "The secret words of a hidden reply"
    post.save(update_fields=["body"])
    community.hide_post(post, by=moderator, reason="spam")
    return post


def test_a_hidden_post_is_not_shown_on_its_flag_page(client, ana, hidden_reply):
    client.force_login(ana)
    response = client.get(reverse("community:flag_post", args=[hidden_reply.pk]))
    assert response.status_code == 404
    assert b"secret words" not in response.content


def test_a_deleted_post_is_not_shown_on_its_flag_or_edit_page(client, ana, ben, category):
    topic = make_topic(category, ana, posts=2, poster=ben)
    post = topic.posts.get(number=2)
    post.body = "Deleted words nobody should read"
    post.save(update_fields=["body"])
    community.delete_post(post, by=ben)
    client.force_login(ana)
    for name in ("community:flag_post", "community:edit_post"):
        response = client.get(reverse(name, args=[post.pk]))
        assert response.status_code == 404
        assert b"Deleted words" not in response.content


def test_moderators_still_open_a_hidden_post(client, moderator, hidden_reply):
    client.force_login(moderator)
    assert client.get(reverse("community:flag_post", args=[hidden_reply.pk])).status_code == 200


def test_a_hidden_post_cannot_be_quoted(client, ana, hidden_reply):
    client.force_login(ana)
    response = client.get(hidden_reply.topic.get_absolute_url(), {"quote": hidden_reply.pk})
    assert response.status_code == 200
    assert b"secret words" not in response.content


def test_a_hidden_post_is_not_found_by_search(client, ana, hidden_reply):
    response = client.get(reverse("community:search"), {"q": "secret hidden"})
    assert b"secret words" not in response.content


def test_a_removed_story_comment_is_not_shown_on_its_flag_page(client, ana, ben):
    _home, index = build_site_tree()
    story = make_story(index, title="A story")
    comment = community.post_comment(by=ben, target=story, body="Removed comment words")
    community.delete_comment(comment, by=ben)
    client.force_login(ana)
    response = client.get(reverse("community:flag_comment", args=[comment.pk]))
    assert response.status_code == 404
    assert b"Removed comment words" not in response.content


# --- 9. A review a moderator took down stays down -----------------------------------------------
@pytest.mark.parametrize("take_down", [feedback.hide_review, feedback.reject_review])
def test_editing_a_taken_down_review_twice_does_not_republish_it(take_down, ana):
    product = ProductFactory(moderation=Product.POST_MODERATION)
    moderator = make_editor("mod")
    review = feedback.submit_review(product, by=ana, rating=5, title="Great", body="Lovely.")
    take_down(review, by=moderator, reason="Off topic")
    for text in ("Edited once.", "Edited twice."):
        review = feedback.submit_review(product, by=ana, rating=5, title="Great", body=text)
        assert review.status == Review.PENDING
    product.refresh_from_db()
    assert product.review_count == 0
    feedback.approve_review(review, by=moderator)
    review.refresh_from_db()
    assert review.status == Review.PUBLISHED


# --- 11. A new member's raw mention markup is a link like any other -----------------------------
def test_a_new_member_cannot_post_a_link_dressed_as_a_mention(ana, category, site):
    from community.models import CommunitySettings

    limits = CommunitySettings.for_site(site)
    limits.new_member_posts, limits.posts_per_hour, limits.posts_per_day = 3, 100, 100
    limits.save()
    body = 'Look <a class="mention" href="https://evil.example/">@ben</a>'
    with pytest.raises(Refusal, match="New members can add links"):
        community.create_topic(category=category, by=ana, title="Hi there", body=body)


def test_a_new_member_may_still_mention_someone(ana, ben, category, site):
    from community.models import CommunitySettings

    limits = CommunitySettings.for_site(site)
    limits.new_member_posts, limits.posts_per_hour, limits.posts_per_day = 3, 100, 100
    limits.save()
    topic = community.create_topic(category=category, by=ana, title="Hi there", body="Hi @ben")
    html = topic.posts.get().html
    assert 'class="mention"' in html and ben.get_absolute_url() in html


def test_member_markup_cannot_carry_the_mention_class(ana, category, limits):
    topic = community.create_topic(
        category=category, by=ana, title="Hello", body='<a class="mention" href="/x/">@x</a>'
    )
    assert 'class="mention"' not in topic.posts.get().html


# --- 13. CSV exports ---------------------------------------------------------------------------
def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_attendees_csv_neutralises_formulas(client, site):
    home, _ = build_site_tree()
    event = make_event(build_event_index(home))
    member = UserFactory(username="eve", display_name='=HYPERLINK("https://evil.example","x")')
    events.register_rsvp(event, by=member)
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    rows = _csv(client.get(reverse("events_attendees", args=[event.pk]), {"format": "csv"}))
    assert rows[1][0] == '\'=HYPERLINK("https://evil.example","x")'


def test_wagtail_listing_exports_neutralise_formulas(client):
    from hub.rewards.models import Perk

    Perk.objects.create(title="@SUM(1+1)*cmd", slug="x", cost=10, shared_code="=1+2")
    client.force_login(UserFactory(username="boss", is_superuser=True, is_staff=True))
    rows = _csv(client.get(reverse("perks:index"), {"export": "csv"}))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'@SUM(1+1)*cmd" in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in cells)


def test_plain_numbers_stay_numbers_in_csv():
    from hub.spreadsheets import safe_cell

    assert safe_cell("-12") == "-12"
    assert safe_cell(-12) == -12
    assert safe_cell("\tcmd") == "'\tcmd"


# --- 14. Privacy and moderation rules -----------------------------------------------------------
def test_private_points_are_hidden_on_the_public_profile(client, ana, ben):
    award(ana, "community.topic.created", source=ana)
    ana.show_on_leaderboard = False
    ana.save(update_fields=["show_on_leaderboard"])
    client.force_login(ben)
    page = client.get(ana.get_absolute_url()).content.decode()
    assert "standing__points" not in page
    client.force_login(ana)
    assert "standing__points" in client.get(ana.get_absolute_url()).content.decode()


def test_a_hidden_topic_is_no_longer_a_category_s_latest(
    client, ana, ben, category, moderator, limits
):
    older = community.create_topic(category=category, by=ben, title="Older topic", body="Hello")
    newer = community.create_topic(category=category, by=ana, title="Spam topic", body="Buy")
    community.hide_post(newer.posts.get(number=1), by=moderator, reason="spam")
    category.refresh_from_db()
    assert category.last_topic_id == older.pk
    assert b"Spam topic" not in client.get(reverse("community:index")).content


def _door_event(host):
    home, _ = build_site_tree()
    return make_event(build_event_index(home), starts_in=datetime.timedelta(hours=1), hosts=[host])


def test_door_search_matches_names_and_ticket_codes_not_e_mail(client):
    host = UserFactory(username="host")
    guest = UserFactory(username="gina", display_name="Gina Lopez", email="gina@example.com")
    event = _door_event(host)
    rsvp = events.register_rsvp(event, by=guest)
    client.force_login(host)
    url = reverse("events:check_in", args=[event.pk])
    assert b"Gina Lopez" in client.get(url, {"q": "Gina"}).content
    assert b"Gina Lopez" in client.get(url, {"q": rsvp.ticket_code}).content
    assert b"Gina Lopez" not in client.get(url, {"q": "gina@example.com"}).content


def test_check_in_is_refused_outside_its_window():
    host = UserFactory(username="host")
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), hosts=[host])  # starts in a week
    rsvp = events.register_rsvp(event, by=UserFactory())
    with pytest.raises(Refusal, match="Check-in is open from"):
        events.check_in(rsvp, by=host)
    event.check_in_opens_hours = 24 * 8  # an editor opens it early for this event
    event.save()
    rsvp.refresh_from_db()
    _rsvp, changed = events.check_in(rsvp, by=host)
    assert changed and RSVP.objects.get(pk=rsvp.pk).checked_in_at is not None


def test_check_in_closes_after_the_event_ends():
    host = UserFactory(username="host")
    home, _ = build_site_tree()
    event = make_event(build_event_index(home), hosts=[host])
    rsvp = events.register_rsvp(event, by=UserFactory())
    later = event.ends_at + datetime.timedelta(hours=event.check_in_closes_hours, minutes=1)
    assert not event.check_in_is_open(later)
    assert event.check_in_is_open(event.starts_at)
    assert rsvp.is_confirmed


def test_account_deletion_anonymises_story_comments(ana, ben):
    _home, index = build_site_tree()
    story = make_story(index, title="A story")
    comment = community.post_comment(by=ana, target=story, body="Nice story")
    delete_account(ana)
    comment = django_comments.get_model().objects.get(pk=comment.pk)
    assert comment.user_id is None
    assert comment.user_email == ""
    assert "Ana" not in comment.user_name and "ana" not in comment.user_name


def test_moderators_cannot_suspend_editors_or_administrators(moderator):
    until = timezone.now() + datetime.timedelta(days=1)
    editor = make_editor("ed")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    for target in (editor, admin):
        with pytest.raises(Refusal, match="cannot suspend editors"):
            community.suspend_member(target, by=moderator, until=until, reason="Rude")


# --- 15. Rate limits on clicks ------------------------------------------------------------------
def test_reactions_are_rate_limited_with_a_clear_message(ana, ben, category, monkeypatch):
    from hub.ratelimit import Limit

    monkeypatch.setattr(community, "REACTION_LIMIT", Limit("t.reaction", per_hour=2, kind="action"))
    topic = make_topic(category, ben, posts=3)
    posts = list(topic.posts.order_by("number"))
    community.react(posts[0], by=ana)
    community.react(posts[1], by=ana)
    with pytest.raises(Refusal, match="You have done this a lot recently"):
        community.react(posts[2], by=ana)
    assert Post.objects.get(pk=posts[2].pk).reaction_count == 0


def test_flags_and_votes_are_rate_limited(ana, ben, category, monkeypatch):
    from hub.ratelimit import Limit
    from tests.feedback.factories import make_idea

    monkeypatch.setattr(community, "FLAG_LIMIT", Limit("t.flag", per_hour=1, kind="action"))
    monkeypatch.setattr(feedback, "VOTE_LIMIT", Limit("t.vote", per_hour=1, kind="action"))
    topic = make_topic(category, ben, posts=2)
    first, second = topic.posts.order_by("number")
    community.flag_post(first, by=ana, reason="spam")
    with pytest.raises(Refusal):
        community.flag_post(second, by=ana, reason="spam")
    feedback.vote_idea(make_idea(title="One"), by=ana)
    with pytest.raises(Refusal):
        feedback.vote_idea(make_idea(title="Two"), by=ana)


def test_avatar_uploads_are_rate_limited(client, ana, monkeypatch):
    from hub.accounts import services as accounts
    from hub.ratelimit import Limit
    from tests.factories import image_upload

    monkeypatch.setattr(accounts, "AVATAR_LIMIT", Limit("t.avatar", per_hour=1, kind="action"))
    client.force_login(ana)
    url = reverse("accounts:profile_edit")
    form = {"display_name": "Ana", "bio": "", "show_on_leaderboard": "on"}
    assert client.post(url, {**form, "avatar": image_upload()}).status_code == 302
    response = client.post(url, {**form, "avatar": image_upload()})
    assert response.status_code == 200
    assert "You have done this a lot recently" in response.content.decode()
