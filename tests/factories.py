"""Factories for tests: members, images and brand pages."""

import datetime
from io import BytesIO

import factory
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from hub.accounts.models import User
from hub.content.models import HomePage, StoryIndexPage, StoryPage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "demo12345")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def png_bytes(width: int = 200, height: int = 120, colour=(67, 56, 202), fmt: str = "PNG") -> bytes:
    buffer = BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format=fmt)
    return buffer.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Image {n}")
    file = factory.LazyAttribute(lambda o: ImageFile(BytesIO(png_bytes()), name=f"{o.title}.png"))


def build_site_tree() -> tuple[HomePage, StoryIndexPage]:
    root = Page.get_first_root_node()
    home = HomePage(title="Trailmark", slug="home-test", hero_title="Made better by its people")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Trailmark"},
    )
    index = StoryIndexPage(title="Stories", slug="stories", intro="<p>All our stories.</p>")
    home.add_child(instance=index)
    return home, index


def make_story(
    index: StoryIndexPage,
    *,
    title: str,
    tags=(),
    days_ago: int = 0,
    author=None,
    cover=True,
    publish=True,
    **fields,
) -> StoryPage:
    story = StoryPage(
        title=title,
        intro=fields.pop("intro", f"An introduction to {title}."),
        date=datetime.date.today() - datetime.timedelta(days=days_ago),
        author=author,
        cover_image=ImageFactory() if cover else None,
        body=fields.pop("body", [("paragraph", f"<p>Body of {title}.</p>")]),
        live=publish,
        **fields,
    )
    if tags:
        story.tags.add(*tags)
    index.add_child(instance=story)
    if publish:
        story.save_revision().publish()
    return story


def image_upload(name: str = "avatar.png", width: int = 200, height: int = 120, fmt: str = "PNG"):
    """An uploaded file holding a real image, as a browser would post it from a file input."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content_types = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
    return SimpleUploadedFile(
        name, png_bytes(width, height, fmt=fmt), content_type=content_types.get(fmt, "image/*")
    )


def make_editor(username: str = "editor", *, can_publish: bool = True) -> User:
    """A Wagtail editor as seed_demo makes one: in Editors, and in Moderators when they may publish.

    Wagtail's migrations give Editors admin access with add/edit rights on every page, and
    Moderators the publish right as well; neither needs is_staff.
    """
    from django.contrib.auth.models import Group

    user = UserFactory(username=username)
    groups = ["Editors", "Moderators"] if can_publish else ["Editors"]
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def make_notifications(recipient, count: int, *, read: bool = False, **fields) -> list:
    """``count`` notifications for ``recipient``, oldest first, stored directly: no push, no e-mail.

    ``text`` may hold ``{n}`` for the notification's number (1 to count).
    """
    from django.utils import timezone

    from hub.notifications.models import Notification

    text = fields.pop("text", "Notice {n}")
    fields.setdefault("kind", "hub.announcement")
    read_at = timezone.now() if read else None
    return Notification.objects.bulk_create(
        [
            Notification(recipient=recipient, text=text.format(n=n), read_at=read_at, **fields)
            for n in range(1, count + 1)
        ]
    )


def session_cookie(user) -> str:
    """The session key a browser signed in as ``user`` holds in its session cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
