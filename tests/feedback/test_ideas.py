"""The ideas board: posting, voting and withdrawing, comments, statuses, merging, the roadmap."""

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Idea, IdeaVote
from hub.notifications.models import Notification
from hub.rewards.models import Balance, PointsEntry
from tests.factories import UserFactory

from .factories import IdeaCategoryFactory, make_idea

pytestmark = pytest.mark.django_db


def test_member_posts_an_idea_with_their_own_vote(member_client, member):
    category = IdeaCategoryFactory(name="Tents", slug="tents")
    response = member_client.post(
        reverse("feedback:post_idea"),
        {"title": "Longer tent", "description": "For *tall* people", "category": category.pk},
    )
    idea = Idea.objects.get()
    assert response.url == idea.get_absolute_url()
    assert (idea.vote_count, idea.author, idea.category) == (1, member, category)
    page = member_client.get(idea.get_absolute_url()).content.decode()
    assert "<em>tall</em>" in page and 'aria-pressed="true"' in page
    assert Balance.objects.get(user=member).lifetime == 10


def test_empty_idea_is_a_form_error_and_keeps_the_title(member_client):
    response = member_client.post(
        reverse("feedback:post_idea"), {"title": "Keep me", "description": "  "}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Describe your idea." in page and "Keep me" in page
    assert not Idea.objects.exists()


def test_honeypot_refuses_bots(member_client):
    response = member_client.post(
        reverse("feedback:post_idea"), {"title": "Buy", "description": "pills", "website": "x"}
    )
    assert response.status_code == 200 and not Idea.objects.exists()


def test_vote_once_and_withdraw(member_client, member):
    idea = make_idea(title="Stove igniter")
    url = reverse("feedback:vote", args=[idea.pk])
    for _ in range(3):
        member_client.post(url)
    idea.refresh_from_db()
    assert idea.vote_count == 1
    member_client.post(url, {"withdraw": "1"})
    idea.refresh_from_db()
    assert idea.vote_count == 0 and not IdeaVote.objects.filter(user=member).exists()


def test_anonymous_visitors_cannot_vote(client, db):
    idea = make_idea()
    response = client.post(reverse("feedback:vote", args=[idea.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_a_visitor_signs_in_and_comes_back_to_finish_their_vote(client, member):
    idea = make_idea(title="Stove igniter")
    vote_url = reverse("feedback:vote", args=[idea.pk])
    ideas_page = client.get(reverse("feedback:ideas")).content.decode()
    assert f'href="/accounts/login/?next={vote_url}"' in ideas_page
    assert "Sign in to vote for Stove igniter" in ideas_page

    client.force_login(member)  # what the sign-in form does before following next=
    confirm = client.get(vote_url)
    assert confirm.status_code == 200
    assert "Vote for “<bdi>Stove igniter</bdi>”?" in confirm.content.decode()
    idea.refresh_from_db()
    assert idea.vote_count == 0  # landing there does not vote by itself

    response = client.post(vote_url, {"next": idea.get_absolute_url()})
    assert response.url == idea.get_absolute_url()
    idea.refresh_from_db()
    assert idea.vote_count == 1

    again = client.get(vote_url, follow=True)
    assert again.redirect_chain[-1][0] == idea.get_absolute_url()
    assert "You have already voted for this idea." in again.content.decode()


def test_comment_notifies_the_author(member_client, member):
    author = UserFactory(username="author")
    idea = make_idea(author)
    member_client.post(idea.get_absolute_url(), {"body": "Yes please, **soon**"})
    page = member_client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>soon</strong>" in page
    assert Notification.objects.filter(recipient=author, kind="feedback.idea.commented").exists()


def test_status_change_notifies_author_and_every_voter_with_the_note(editor):
    author, voters = UserFactory(), [UserFactory() for _ in range(3)]
    idea = make_idea(author, voters=voters)
    services.set_idea_status(idea, status=Idea.PLANNED, note="Coming in May", by=editor)
    told = Notification.objects.filter(kind="feedback.idea.status_changed")
    assert set(told.values_list("recipient_id", flat=True)) == {author.pk, *[v.pk for v in voters]}
    assert "Planned" in told.first().text


def test_shipping_rewards_the_author_and_voters_once(editor, client):
    author, voter = UserFactory(), UserFactory()
    idea = make_idea(author, voters=[author, voter])
    services.set_idea_status(idea, status=Idea.SHIPPED, note="Out now", by=editor)
    services.set_idea_status(idea, status=Idea.IN_PROGRESS, by=editor)
    services.set_idea_status(idea, status=Idea.SHIPPED, note="Out again", by=editor)
    shipped = PointsEntry.objects.filter(action="feedback.idea.shipped")
    assert sorted(shipped.values_list("user_id", flat=True)) == sorted([author.pk, voter.pk])
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Out again" in page and "Shipped" in page


def test_shipped_ideas_are_closed_for_voting(member):
    idea = make_idea(status=Idea.SHIPPED)
    with pytest.raises(services.FeedbackError):
        services.vote_idea(idea, by=member)


def test_merge_moves_votes_without_counting_anyone_twice(editor, client):
    both, only_dup, only_keep = UserFactory(), UserFactory(), UserFactory()
    keep = make_idea(title="Keep", voters=[both, only_keep])
    dup = make_idea(title="Duplicate", voters=[both, only_dup])
    survivor = services.merge_ideas(dup, into=keep, by=editor)
    assert survivor.vote_count == 3
    assert set(IdeaVote.objects.filter(idea=keep).values_list("user_id", flat=True)) == {
        both.pk,
        only_dup.pk,
        only_keep.pk,
    }
    dup.refresh_from_db()
    assert dup.status == Idea.MERGED and dup.merged_into == keep and dup.vote_count == 0
    assert not IdeaVote.objects.filter(idea=dup).exists()
    response = client.get(dup.get_absolute_url())
    assert response.status_code == 302 and response.url == keep.get_absolute_url()
    with pytest.raises(services.FeedbackError):
        services.merge_ideas(dup, into=keep, by=editor)


def test_sort_trending_top_new_and_filter_by_status(client):
    from datetime import timedelta

    from django.utils import timezone

    voters = [UserFactory() for _ in range(30)]
    old_popular = make_idea(
        title="Old popular", voters=voters, created=timezone.now() - timedelta(days=30)
    )
    fresh = make_idea(title="Fresh", voters=voters[:3])
    planned = make_idea(title="Planned one", voters=voters[:1], status=Idea.PLANNED)
    make_idea(title="Declined one", status=Idea.DECLINED)

    def titles(query):
        return [i.title for i in client.get(reverse("feedback:ideas") + query).context["page_obj"]]

    assert titles("?sort=top")[0] == old_popular.title
    assert titles("?sort=trending")[0] == fresh.title
    assert titles("?sort=new")[0] == planned.title
    assert titles("?status=planned") == ["Planned one"]
    assert "Declined one" not in titles("")
    assert "Declined one" in titles("?status=all")


def test_roadmap_groups_ideas_by_status(client):
    make_idea(title="Looking", status=Idea.UNDER_REVIEW)
    make_idea(title="Building", status=Idea.IN_PROGRESS)
    make_idea(title="Done", status=Idea.SHIPPED)
    make_idea(title="Just open")
    response = client.get(reverse("feedback:roadmap"))
    columns = {c["status"]: [i.title for i in c["ideas"]] for c in response.context["columns"]}
    assert columns == {
        "under_review": ["Looking"],
        "planned": [],
        "in_progress": ["Building"],
        "shipped": ["Done"],
    }
    assert "Just open" not in response.content.decode()


def test_reported_idea_is_in_the_queue_and_hiding_it_takes_it_off_the_board(
    member_client, member, editor, client
):
    idea = make_idea(title="Rude idea")
    member_client.post(reverse("feedback:report_idea", args=[idea.pk]), {"reason": "offensive"})
    from hub.moderation import get_source

    source = get_source("feedback.idea.reported")
    assert source.count() == 1
    message = source.act(idea.pk, "hide", by=editor, reason="Rude")
    assert "hidden" in message.lower()
    assert client.get(idea.get_absolute_url()).status_code == 404
    assert source.count() == 0


def test_an_idea_report_with_too_long_details_says_they_are_too_long(member_client):
    idea = make_idea(title="Lighter poles")
    response = member_client.post(
        reverse("feedback:report_idea", args=[idea.pk]),
        {"reason": "spam", "details": "é" * 250},
        follow=True,
    )
    page = response.content.decode()
    assert "The details are too long: write at most 200 characters (you wrote 250)." in page
    assert "Choose what is wrong" not in page
    idea.refresh_from_db()
    assert idea.report_count == 0


def test_ideas_are_rate_limited(member):
    from hub.ratelimit import RateLimited

    for n in range(services.IDEA_LIMIT.per_hour):
        services.post_idea(by=member, title=f"Idea {n}", description="d")
    with pytest.raises(RateLimited):
        services.post_idea(by=member, title="One more", description="d")


def test_idea_list_query_count_is_flat(client, django_assert_max_num_queries, member):
    category = IdeaCategoryFactory()
    for n in range(30):
        make_idea(title=f"Idea {n}", category=category, voters=[member] if n % 2 else [])
    client.force_login(member)
    client.get(reverse("feedback:ideas"))  # warm: the day's activity record, cached look-ups
    with django_assert_max_num_queries(17):
        response = client.get(reverse("feedback:ideas") + "?sort=top")
    assert len(response.context["page_obj"]) == 20
    with django_assert_max_num_queries(18):
        client.get(reverse("feedback:roadmap"))


def test_voting_returns_to_the_list_but_never_off_site(member_client):
    idea = make_idea()
    url = reverse("feedback:vote", args=[idea.pk])
    response = member_client.post(url, {"next": "/ideas/?sort=top"})
    assert response.url == "/ideas/?sort=top"
    response = member_client.post(url, {"next": "https://evil.example/", "withdraw": "1"})
    assert response.url == idea.get_absolute_url()
