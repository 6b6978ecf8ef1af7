"""`manage.py seed_demo`: demo users and brand content, and a second run that changes nothing."""

import shutil
import tempfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase, override_settings
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from hub.accounts.models import User
from hub.content.models import HomePage, StoryIndexPage, StoryPage

DEMO_PASSWORD = "demo12345"


def _totals() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "pages": Page.objects.count(),
        "images": get_image_model().objects.count(),
        "revisions": Revision.objects.count(),
    }


@pytest.mark.slow
class TestSeedDemo(TestCase):
    """Seeds once for the class (about ten seconds); each test rolls back to the seeded site."""

    @classmethod
    def setUpClass(cls):
        cls.media_root = tempfile.mkdtemp(prefix="seed-demo-media-")
        cls.addClassCleanup(shutil.rmtree, cls.media_root, ignore_errors=True)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        with override_settings(MEDIA_ROOT=cls.media_root):
            call_command("seed_demo", stdout=StringIO())

    @pytest.fixture(autouse=True)
    def _isolated_media(self, settings):
        """Replaces the per-test media folder: the seeded images live in the class's folder."""
        settings.MEDIA_ROOT = self.media_root

    def test_admin_is_a_superuser(self):
        admin = User.objects.get(username="admin")

        assert admin.is_superuser
        assert admin.check_password(DEMO_PASSWORD)

    def test_editor_can_use_the_admin_without_being_a_superuser(self):
        editor = User.objects.get(username="editor")

        assert set(editor.groups.values_list("name", flat=True)) == {"Editors", "Moderators"}
        assert not editor.is_superuser
        assert self.client.login(username="editor", password=DEMO_PASSWORD)
        assert self.client.get("/admin/").status_code == 200

    def test_demo_members_sign_in_with_the_demo_password(self):
        for username in ["ana", "ben", "chen", "dara"]:
            assert self.client.login(username=username, password=DEMO_PASSWORD), username
            assert not User.objects.get(username=username).is_staff

    def test_home_page_is_the_default_sites_root(self):
        site = Site.objects.get(is_default_site=True)

        assert isinstance(site.root_page.specific, HomePage)
        assert site.root_page.live
        assert self.client.get("/").status_code == 200

    def test_story_index_holds_twelve_live_stories_with_cover_images(self):
        index = StoryIndexPage.objects.get()
        stories = StoryPage.objects.child_of(index)

        assert index.live
        assert stories.live().count() == stories.count() == 12
        assert not stories.filter(cover_image=None).exists()
        assert self.client.get(index.url).status_code == 200

    def test_running_it_again_changes_nothing(self):
        before = _totals()

        call_command("seed_demo", stdout=StringIO())

        assert _totals() == before
