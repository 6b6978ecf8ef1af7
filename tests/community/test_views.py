"""Forum pages: what members see and can do, with bounded queries on big topics and listings."""

import pytest
from django.urls import reverse

from community import services
from community.models import Category, Post, ReadState, Topic
from tests.community.factories import make_category, make_topic
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


def test_the_index_lists_categories_with_counts_and_latest_activity(client, ana, category, limits):
    services.create_topic(by=ana, category=category, title="Hello trail", body="Hi")
    response = client.get("/community/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trail talk" in html and "Hello trail" in html


def test_the_index_is_in_the_header_navigation(client, category):
    assert 'href="/community/"' in client.get("/community/").content.decode()


def test_the_category_page_lists_pinned_topics_first(client, ana, ben, category, moderator, limits):
    old = services.create_topic(
        by=ana, category=category, title="Rules of the road", body="Be kind"
    )
    services.create_topic(by=ben, category=category, title="Newer topic", body="Hi")
    services.pin_topic(old, by=moderator)
    html = client.get(category.get_absolute_url()).content.decode()
    assert html.index("Rules of the road") < html.index("Newer topic")


def test_category_and_latest_pages_have_bounded_queries(
    client, ana, category, django_assert_max_num_queries
):
    for n in range(40):  # more than a page holds
        make_topic(category, ana, title=f"Topic {n}", posts=2)
    client.force_login(ana)
    with django_assert_max_num_queries(25):
        assert client.get(category.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/community/latest/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/community/").status_code == 200


def test_a_10000_post_topic_page_stays_bounded(
    client, ana, ben, category, django_assert_max_num_queries
):
    topic = make_topic(category, ana, title="Huge", posts=10_000, poster=ben)
    client.force_login(ben)
    for page in (1, 250, 500):
        with django_assert_max_num_queries(30):
            response = client.get(f"{topic.get_absolute_url()}?page={page}")
        assert response.status_code == 200
    assert 'id="p10000"' in response.content.decode()
    assert client.get(f"{topic.get_absolute_url()}?page=501").status_code == 404


def test_jump_to_first_unread_goes_to_the_right_page_and_post(client, ana, ben, category):
    topic = make_topic(category, ana, posts=45)
    ReadState.objects.create(user=ben, topic=topic, last_read_number=30)
    client.force_login(ben)
    response = client.get(reverse("community:topic_unread", args=[topic.pk]))
    assert response.status_code == 302
    assert response.url.endswith("?page=2#p31")


def test_reading_a_topic_page_marks_it_read(client, ana, ben, category):
    topic = make_topic(category, ana, posts=3)
    client.force_login(ben)
    client.get(topic.get_absolute_url())
    assert ReadState.objects.get(user=ben, topic=topic).last_read_number == 3


def test_posting_a_reply_through_the_form(client, ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    client.force_login(ben)
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "Hello *there*"})
    assert response.status_code == 302
    assert Post.objects.get(topic=topic, number=2).html == "<p>Hello <em>there</em></p>"


def test_preview_shows_the_rendered_post_and_posts_nothing(client, ana, category, limits):
    client.force_login(ana)
    response = client.post(
        reverse("community:new_topic", args=[category.slug]),
        {"title": "Draft", "body": "**bold** idea", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html and "**bold** idea" in html
    assert not Topic.objects.exists()


def test_the_honeypot_stops_bots_and_keeps_the_text(client, ana, category, limits):
    client.force_login(ana)
    response = client.post(
        reverse("community:new_topic", args=[category.slug]),
        {"title": "Cheap", "body": "Buy now", "website": "http://spam.example"},
    )
    assert response.status_code == 400
    assert not Topic.objects.exists()
    assert "Buy now" in response.content.decode()


def test_a_rate_limited_member_sees_why_and_keeps_what_they_typed(client, ana, category, limits):
    limits.posts_per_hour = 1
    limits.save()
    topic = services.create_topic(by=ana, category=category, title="One", body="1")
    client.force_login(ana)
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "My long reply"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "try again" in html and "My long reply" in html


def test_a_suspended_member_sees_the_reason_and_keeps_their_text(
    client, ana, ben, category, moderator, limits
):
    from datetime import timedelta

    from django.utils import timezone

    topic = services.create_topic(by=ana, category=category, title="One", body="1")
    services.suspend_member(
        ben, by=moderator, until=timezone.now() + timedelta(days=1), reason="Cool off"
    )
    client.force_login(ben)
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "But I disagree"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cool off" in html and "But I disagree" in html


def test_images_are_checked_by_pillow(client, ana, category, limits):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ana)
    url = reverse("community:new_topic", args=[category.slug])
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(url, {"title": "Pic", "body": "See", "image": fake})
    assert response.status_code == 400 and not Topic.objects.exists()
    response = client.post(url, {"title": "Pic", "body": "See", "image": image_upload("trail.png")})
    assert response.status_code == 302
    assert Topic.objects.get().posts.get().image


def test_attached_images_come_back_without_exif_or_gps_under_a_generated_name(
    client, ana, category, limits
):
    import re
    from io import BytesIO

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: the picture is shown upright
    exif[ExifTags.Base.Make] = "TrailCam"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (41.0, 43.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (44.0, 47.0, 0.0),
    }
    buffer = BytesIO()
    Image.new("RGB", (400, 300), "green").save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("home-sweet-home.jpg", buffer.getvalue(), "image/jpeg")
    client.force_login(ana)
    response = client.post(
        reverse("community:new_topic", args=[category.slug]),
        {"title": "Pic", "body": "See", "image": upload},
    )
    assert response.status_code == 302
    stored = Topic.objects.get().posts.get().image
    assert "home-sweet-home" not in stored.name
    assert re.fullmatch(r"community/\d{4}/\d{2}/[0-9a-f]{32}\.webp", stored.name)
    with default_storage.open(stored.name) as file, Image.open(file) as image:
        assert image.format == "WEBP" and image.size == (300, 400)
        assert "exif" not in image.info and not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_members_cannot_start_topics_in_staff_categories(client, ana):
    news = make_category("news", who_may_start=Category.STAFF)
    client.force_login(ana)
    assert client.get(reverse("community:new_topic", args=[news.slug])).status_code == 403


def test_reacting_through_the_page(client, ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = topic.posts.get()
    client.force_login(ben)
    client.post(reverse("community:react", args=[post.pk]), {"kind": "heart"})
    client.post(reverse("community:react", args=[post.pk]), {"kind": "heart"})
    post.refresh_from_db()
    assert post.reaction_count == 1
    html = client.get(topic.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html


def test_members_cannot_use_moderator_urls(client, ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    client.force_login(ben)
    post = topic.posts.get()
    assert (
        client.post(reverse("community:moderate_post", args=[post.pk, "hide"])).status_code == 403
    )
    assert (
        client.post(reverse("community:moderate_topic", args=[topic.pk, "lock"])).status_code == 403
    )
    assert client.get(reverse("community:post_history", args=[post.pk])).status_code == 403


def test_hidden_posts_show_as_hidden_to_members(client, ana, ben, category, moderator, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    reply = services.create_reply(by=ben, topic=topic, body="Rude words")
    client.force_login(moderator)
    client.post(reverse("community:moderate_post", args=[reply.pk, "hide"]), {"reason": "Rude"})
    client.force_login(ana)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Rude words" not in html and "hidden by a moderator" in html


def test_search_finds_posts_and_links_to_them(client, ana, category, limits):
    topic = services.create_topic(
        by=ana, category=category, title="Waterproofing", body="Use a wash-in DWR"
    )
    response = client.get("/community/search/?q=DWR")
    assert response.status_code == 200
    assert reverse("community:post", args=[topic.posts.get().pk]) in response.content.decode()


def test_names_on_posts_show_tier_and_badges(client, ana, category, limits):
    from hub.rewards.models import Badge, BadgeAward, Balance

    Balance.objects.create(user=ana, lifetime=600, spendable=600)
    badge = Badge.objects.create(name="Trailblazer", description="First up", symbol="⛰")
    BadgeAward.objects.create(user=ana, badge=badge)
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Champion" in html and "Trailblazer" in html and ana.get_absolute_url() in html


def test_anonymous_visitors_read_but_are_asked_to_sign_in_to_reply(client, ana, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Sign in to reply" in html
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_unknown_pages_are_404_not_500(client, category):
    assert client.get("/community/t/999/x/").status_code == 404
    assert client.get("/community/c/nope/").status_code == 404
    assert client.get(f"{category.get_absolute_url()}?page=abc").status_code == 404


def test_the_live_fragment_returns_posts_after_a_number(client, ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    services.create_reply(by=ben, topic=topic, body="Second")
    client.force_login(ana)
    html = client.get(
        reverse("community:topic_posts", args=[topic.pk]) + "?after=1"
    ).content.decode()
    assert 'id="p2"' in html and 'id="p1"' not in html


def test_the_home_page_shows_the_latest_forum_topics(client, ana, category, limits):
    from tests.factories import build_site_tree

    build_site_tree()
    services.create_topic(by=ana, category=category, title="Sunrise hike on Saturday?", body="Who?")
    html = client.get("/").content.decode()
    assert "From the community" in html and "Sunrise hike on Saturday?" in html


def test_a_merged_topic_leads_members_to_the_topic_it_joined(
    client, ana, ben, category, moderator, limits
):
    kept = services.create_topic(by=ana, category=category, title="Stoves", body="Which?")
    duplicate = services.create_topic(by=ben, category=category, title="Stove?", body="Same")
    services.merge_topics(duplicate, into=kept, by=moderator, reason="Duplicate")
    client.force_login(ben)
    response = client.get(duplicate.get_absolute_url())
    assert response.status_code == 301 and response.url == kept.get_absolute_url()
    response = client.post(reverse("community:reply", args=[duplicate.pk]), {"body": "Hi"})
    assert response.status_code == 400 and "no longer open" in response.content.decode()


def test_flagging_through_the_page(client, ana, ben, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = topic.posts.get()
    client.force_login(ben)
    url = reverse("community:flag_post", args=[post.pk])
    assert client.post(url, {}).status_code == 400  # no reason chosen: the form says so
    response = client.post(url, {"reason": "spam", "note": "An ad"})
    assert response.status_code == 302
    assert post.flags.get().note == "An ad"


def test_editing_through_the_page_shows_the_edited_marker(client, ana, category, limits):
    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    post = topic.posts.get()
    client.force_login(ana)
    response = client.post(
        reverse("community:edit_post", args=[post.pk]), {"title": "Hello", "body": "Hello there"}
    )
    assert response.status_code == 302
    html = client.get(Topic.objects.get(pk=topic.pk).get_absolute_url()).content.decode()
    assert "Hello there" in html and "edited" in html


def test_accepting_an_answer_through_the_page_shows_it_under_the_question(
    client, ana, ben, qa, limits
):
    topic = services.create_topic(by=ana, category=qa, title="Which tent?", body="?")
    answer = services.create_reply(by=ben, topic=topic, body="The Pika 1")
    client.force_login(ana)
    client.post(reverse("community:accept_answer", args=[answer.pk]))
    html = client.get(topic.get_absolute_url()).content.decode()
    assert 'id="accepted-heading"' in html and "post--answer" in html
    unanswered = client.get("/community/unanswered/").content.decode()
    assert topic.get_absolute_url() not in unanswered


def test_watching_a_topic_through_the_page(client, ana, ben, category, limits):
    from community.models import Subscription

    topic = services.create_topic(by=ana, category=category, title="Hi", body="Hi")
    client.force_login(ben)
    client.post(reverse("community:subscribe_topic", args=[topic.pk]), {"level": "watch"})
    assert Subscription.objects.get(user=ben, topic=topic).level == "watch"
    client.post(reverse("community:subscribe_topic", args=[topic.pk]), {"level": ""})
    assert not Subscription.objects.filter(user=ben, topic=topic).exists()
