"""Avatar uploads on the profile page: what is accepted, what is refused, and what is stored."""

import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import image_upload, png_bytes

pytestmark = pytest.mark.django_db

EDIT_URL = "/accounts/profile/"


def post_profile(client, *, avatar=None, display_name="Ana Souza", **extra):
    data = {"display_name": display_name, "bio": "", **extra}
    if avatar is not None:
        data["avatar"] = avatar
    return client.post(EDIT_URL, data)


def stored_avatar_files(user) -> list[str]:
    folder = f"avatars/{user.pk}"
    if not default_storage.exists(folder):
        return []
    return default_storage.listdir(folder)[1]


def png_claiming_size(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width``×``height``, as a decompression bomb would."""
    data = bytearray(png_bytes(8, 8))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def assert_rejected(response, member, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert not member.avatar
    assert stored_avatar_files(member) == []


# --- Accepted uploads --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_uploaded_picture_is_stored_as_square_webp_with_thumbnail(member_client, member, fmt):
    response = post_profile(member_client, avatar=image_upload(f"me.{fmt.lower()}", 300, 180, fmt))
    assert response.status_code == 302
    member.refresh_from_db()
    with default_storage.open(member.avatar.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (256, 256))
    with default_storage.open(member.avatar_thumbnail.name) as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("WEBP", (64, 64))


def test_stored_avatar_file_name_ignores_the_uploaded_name(member_client, member):
    post_profile(member_client, avatar=image_upload("../../etc/passwd.png"))
    member.refresh_from_db()
    assert member.avatar.name.startswith(f"avatars/{member.pk}/")
    assert member.avatar.name.endswith(".webp")
    assert "passwd" not in member.avatar.name


def test_uploaded_avatar_is_shown_on_profile_edit_page(member_client, member):
    post_profile(member_client, avatar=image_upload())
    member.refresh_from_db()
    response = member_client.get(EDIT_URL)
    assert member.avatar.url.encode() in response.content
    assert member.avatar_thumbnail.url.encode() in response.content  # the header's small avatar


def test_replacing_avatar_deletes_the_old_files(member_client, member):
    post_profile(member_client, avatar=image_upload())
    member.refresh_from_db()
    old_files = [member.avatar.name, member.avatar_thumbnail.name]

    post_profile(member_client, avatar=image_upload(fmt="JPEG", name="new.jpg"))
    member.refresh_from_db()
    assert member.avatar.name not in old_files
    assert not any(default_storage.exists(name) for name in old_files)
    assert len(stored_avatar_files(member)) == 2


def test_remove_avatar_checkbox_deletes_avatar_and_shows_initials(member_client, member):
    post_profile(member_client, avatar=image_upload())
    member.refresh_from_db()
    old_files = [member.avatar.name, member.avatar_thumbnail.name]

    response = post_profile(member_client, remove_avatar="on")
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.avatar
    assert not member.avatar_thumbnail
    assert not any(default_storage.exists(name) for name in old_files)
    assert b"avatar--initials" in member_client.get("/u/ana/").content


def test_remove_avatar_checkbox_is_offered_only_when_there_is_an_avatar(member_client):
    assert b"Remove my avatar" not in member_client.get(EDIT_URL).content
    post_profile(member_client, avatar=image_upload())
    assert b"Remove my avatar" in member_client.get(EDIT_URL).content


# --- Refused uploads ---------------------------------------------------------------------------


def test_text_file_renamed_png_is_rejected_with_form_error(member_client, member):
    fake = SimpleUploadedFile("avatar.png", b"definitely not a picture\n", content_type="image/png")
    response = post_profile(member_client, avatar=fake, display_name="Ana Renamed")
    assert_rejected(response, member, "That file is not an image we can read.")
    assert member.display_name == "Ana Souza"


def test_rejected_upload_keeps_the_typed_display_name_in_the_form(member_client):
    fake = SimpleUploadedFile("avatar.png", b"definitely not a picture\n", content_type="image/png")
    response = post_profile(member_client, avatar=fake, display_name="Ana Renamed")
    assert 'value="Ana Renamed"' in response.content.decode()


def test_rejected_upload_does_not_show_the_unsaved_name_in_the_header(member_client):
    fake = SimpleUploadedFile("avatar.png", b"definitely not a picture\n", content_type="image/png")
    response = post_profile(member_client, avatar=fake, display_name="Ana Renamed")
    assert (
        '<span class="account-menu__name"><bdi>Ana Souza</bdi></span>' in response.content.decode()
    )


def test_rejected_upload_keeps_the_saved_avatar(member_client, member):
    post_profile(member_client, avatar=image_upload())
    member.refresh_from_db()
    saved = member.avatar.name
    fake = SimpleUploadedFile("avatar.png", b"not a picture", content_type="image/png")
    response = post_profile(member_client, avatar=fake)
    assert response.status_code == 200
    assert member.avatar.url.encode() in response.content
    member.refresh_from_db()
    assert member.avatar.name == saved
    assert default_storage.exists(saved)


def test_image_with_huge_dimensions_is_rejected(member_client, member):
    buffer = BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, format="PNG")  # a few KB on disk
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")
    response = post_profile(member_client, avatar=upload)
    assert_rejected(response, member, "avatars can be at most 6000 pixels on a side")


def test_decompression_bomb_is_rejected(member_client, member):
    upload = SimpleUploadedFile("bomb.png", png_claiming_size(50_000, 50_000))
    response = post_profile(member_client, avatar=upload)
    assert_rejected(response, member, "That file is not an image we can read.")


def test_file_over_the_size_limit_is_rejected(member_client, member, settings):
    settings.AVATAR_MAX_BYTES = 100
    upload = image_upload()
    assert upload.size > 100
    response = post_profile(member_client, avatar=upload)
    assert_rejected(response, member, "avatars can be at most 100\xa0bytes")


def test_default_size_limit_is_five_megabytes(member_client, member):
    upload = SimpleUploadedFile("big.png", png_bytes() + b"\0" * (5 * 1024 * 1024))
    response = post_profile(member_client, avatar=upload)
    assert_rejected(response, member, "avatars can be at most 5.0\xa0MB")


def test_too_small_image_is_rejected(member_client, member):
    response = post_profile(member_client, avatar=image_upload(width=10, height=10))
    assert_rejected(response, member, "avatars need at least 64 pixels on a side")


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_unsupported_image_format_is_rejected(member_client, member, fmt):
    upload = SimpleUploadedFile(f"avatar.{fmt.lower()}", png_bytes(fmt=fmt))
    response = post_profile(member_client, avatar=upload)
    assert_rejected(response, member, f"{fmt} images are not accepted.")


def test_truncated_image_is_rejected(member_client, member):
    truncated = png_bytes(300, 300, fmt="JPEG")[:400]
    response = post_profile(member_client, avatar=SimpleUploadedFile("cut.jpg", truncated))
    assert_rejected(response, member, "That file is not an image we can read.")


def test_empty_file_is_rejected(member_client, member):
    response = post_profile(member_client, avatar=SimpleUploadedFile("empty.png", b""))
    assert_rejected(response, member, "The submitted file is empty.")
