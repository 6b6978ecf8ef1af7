"""hub.composer: the picture upload and the live preview behind every text box members write in."""

import pytest
from django.test import Client
from django.urls import reverse

from hub.composer import UPLOAD_LIMIT
from hub.markup import render_markdown
from tests.factories import UserFactory, image_upload, png_bytes

UPLOAD = "/compose/upload/"
PREVIEW = "/compose/preview/"


def test_the_endpoints_have_their_addresses():
    assert reverse("compose_upload") == UPLOAD
    assert reverse("compose_preview") == PREVIEW


@pytest.mark.django_db
def test_a_visitor_may_not_upload_or_preview(client):
    assert client.post(UPLOAD, {"image": image_upload("a.png")}).status_code == 403
    assert client.post(PREVIEW, {"text": "hi"}).status_code == 403


@pytest.mark.django_db
def test_the_endpoints_take_only_posts(member_client):
    assert member_client.get(UPLOAD).status_code == 405
    assert member_client.get(PREVIEW).status_code == 405


@pytest.mark.django_db
def test_posting_without_the_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(UPLOAD, {"image": image_upload("a.png")}).status_code == 403
    assert client.post(PREVIEW, {"text": "hi"}).status_code == 403


@pytest.mark.django_db
def test_an_uploaded_picture_is_stored_as_webp_and_answers_its_markdown(member_client, settings):
    response = member_client.post(UPLOAD, {"image": image_upload("Trail map.png", 300, 200)})
    assert response.status_code == 201
    data = response.json()
    assert data["url"].startswith(f"{settings.MEDIA_URL}composer/")
    assert data["url"].endswith(".webp")
    assert data["markdown"] == f"![Trail map]({data['url']})"
    assert (data["width"], data["height"]) == (300, 200)
    # What the composer inserts shows as a picture once posted.
    assert f'<img alt="Trail map" src="{data["url"]}">' in str(render_markdown(data["markdown"]))
    assert member_client.get(data["url"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "not an image",
        ),
        ("x.html", b"<html><script>alert(1)</script></html>", "not an image"),
        ("x.png", b"", "not an image"),
        ("x.bmp", png_bytes(100, 100, fmt="BMP"), "not accepted"),
        ("tiny.png", png_bytes(4, 4), "pixels a side"),
    ],
)
def test_what_is_not_a_picture_we_take_is_refused_with_a_reason(
    member_client, name, content, words
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = member_client.post(UPLOAD, {"image": upload})
    assert response.status_code == 400
    assert words in response.json()["error"]


@pytest.mark.django_db
def test_an_upload_too_large_is_refused(member_client, settings):
    settings.COMPOSER_IMAGE_MAX_BYTES = 100
    response = member_client.post(UPLOAD, {"image": image_upload("big.png", 300, 300)})
    assert response.status_code == 400
    assert "at most" in response.json()["error"]


@pytest.mark.django_db
def test_an_upload_without_a_file_is_a_bad_request(member_client):
    assert member_client.post(UPLOAD, {}).status_code == 400


@pytest.mark.django_db
def test_uploads_are_rate_limited(member_client):
    for _ in range(UPLOAD_LIMIT.per_hour):
        assert member_client.post(UPLOAD, {"image": image_upload("a.png")}).status_code == 201
    refused = member_client.post(UPLOAD, {"image": image_upload("a.png")})
    assert refused.status_code == 429
    assert "try again" in refused.json()["error"]
    assert int(refused["Retry-After"]) > 0


@pytest.mark.django_db
def test_each_members_uploads_go_to_their_own_folder(client, django_assert_max_num_queries):
    ben = UserFactory(username="ben")
    client.force_login(ben)
    with django_assert_max_num_queries(3):
        url = client.post(UPLOAD, {"image": image_upload("a.png")}).json()["url"]
    assert f"/composer/{ben.pk}/" in url


@pytest.mark.django_db
def test_the_preview_is_the_pages_own_sanitized_markdown(member_client):
    text = "**Hi** https://example.org <script>alert(1)</script> <img src=x onerror=alert(1)>"
    html = member_client.post(PREVIEW, {"text": text}).json()["html"]
    assert html == str(render_markdown(text))
    assert "<strong>Hi</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<script" not in html and "onerror" not in html


@pytest.mark.django_db
def test_the_preview_links_mentions_as_a_review_or_idea_will(member_client):
    UserFactory(username="ben")
    html = member_client.post(PREVIEW, {"text": "Hi @ben and @nobody, `@ben`"}).json()["html"]
    assert html.count('class="mention"') == 1 and 'href="/u/ben/"' in html


@pytest.mark.django_db
def test_an_empty_or_overlong_preview(member_client):
    assert member_client.post(PREVIEW, {"text": "  "}).json() == {"html": ""}
    assert member_client.post(PREVIEW, {"text": "x" * 20_001}).status_code == 400
