"""`manage.py seed_demo`: demo users and brand content, and a second run that changes nothing."""

import shutil
import tempfile
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import translation
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
        index = StoryIndexPage.objects.get(locale__language_code="en")
        stories = StoryPage.objects.child_of(index)

        assert index.live
        assert stories.live().count() == stories.count() == 12
        assert not stories.filter(cover_image=None).exists()
        assert self.client.get(index.url).status_code == 200

    def test_running_it_again_changes_nothing(self):
        before = _totals()
        names = _translated_names()

        call_command("seed_demo", stdout=StringIO())

        assert _totals() == before
        assert _translated_names() == names

    # --- The brand's content in the demo's five other languages ------------------------------

    def test_home_story_index_two_stories_and_an_event_are_translated_and_live(self):
        from events.models import EventIndexPage, EventPage

        for language in LANGUAGES:
            for model, at_least in [
                (HomePage, 1),
                (StoryIndexPage, 1),
                (StoryPage, 2),
                (EventIndexPage, 1),
                (EventPage, 1),
            ]:
                pages = model.objects.filter(locale__language_code=language)
                assert pages.live().count() >= at_least, (language, model)
        hebrew_home = HomePage.objects.get(locale__language_code="he")
        assert hebrew_home.hero_title == "משתפר בזכות האנשים שמשתמשים בו"
        assert hebrew_home.hero_cta_page.specific.locale.language_code == "he"

    def test_a_hebrew_reader_gets_the_hebrew_home_page_and_story(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"

        home = self.client.get("/").content.decode()
        story = StoryPage.objects.get(
            locale__language_code="he", slug="the-layering-guide-for-winter"
        )
        page = self.client.get(story.url).content.decode()

        assert "משתפר בזכות האנשים שמשתמשים בו" in home
        assert '<h1 class="story__title"><bdi>מדריך השכבות לחורף</bdi></h1>' in page
        assert "language-fallback" not in page

    def test_tiers_badges_and_categories_have_names_in_every_demo_language(self):
        from community.models import Category
        from hub.rewards.models import Badge, Tier

        for language in LANGUAGES:
            for model in (Tier, Badge, Category):
                untranslated = model.objects.filter(**{f"name_{language}__isnull": True})
                assert not untranslated.exists(), (language, model, list(untranslated))
        with translation.override("ka"):
            assert Tier.objects.get(threshold=0).name == "წევრი"
        with translation.override("fi"):
            assert Category.objects.get(slug="questions").name == "Kysymykset ja vastaukset"

    def test_noa_and_nino_sign_in_with_the_demo_password(self):
        for username in ["noa", "nino"]:
            assert self.client.login(username=username, password=DEMO_PASSWORD), username
        field_names = {field.name for field in User._meta.get_fields()}
        if "language" in field_names:
            assert User.objects.get(username="noa").language == "he"
            assert User.objects.get(username="nino").language == "ka"


LANGUAGES = ["ka", "af", "he", "hy", "fi"]


def _translated_names() -> list:
    from community.models import Category
    from hub.rewards.models import Badge, Tier

    return [
        list(model.objects.order_by("pk").values_list(*[f"name_{code}" for code in LANGUAGES]))
        for model in (Tier, Badge, Category)
    ]
