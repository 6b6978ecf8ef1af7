"""The brand's content in several languages: translated pages, the page language bar, the
fallback to English, and the names editors define (tiers, badges, categories, products…)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale

from hub.content.models import BrandSettings, StoryPage
from tests import factories

pytestmark = pytest.mark.django_db


def hebrew() -> Locale:
    return Locale.objects.get_or_create(language_code="he")[0]


def translate(page, locale, **fields):
    """What wagtail-localize does when an editor translates a page and publishes it: a copy in the
    locale (with its parents), edited and published."""
    copy = page.copy_for_translation(locale, copy_parents=True).specific
    for ancestor in copy.get_ancestors().filter(depth__gt=1).specific():
        if not ancestor.live:
            ancestor.save_revision().publish()
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    copy.refresh_from_db()
    return copy


def get(client, path: str, lang: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def story(site_tree):
    _home, index = site_tree
    return factories.make_story(index, title="The layering guide for winter", cover=False)


def test_a_translated_story_is_shown_in_hebrew_to_a_hebrew_reader(client, story):
    translate(story, hebrew(), title="מדריך השכבות לחורף", intro="בסיס, ביניים ומעטפת.")

    html = get(client, story.url, "he")

    assert '<h1 class="story__title"><bdi>מדריך השכבות לחורף</bdi></h1>' in html
    assert "language-fallback" not in html
    assert "The layering guide for winter" in get(client, story.url, "en")


def test_the_english_story_offers_its_hebrew_translation(client, story):
    hebrew_story = translate(story, hebrew(), title="מדריך השכבות לחורף", slug="madrich-shchavot")

    html = get(client, story.url, "en")

    bar = html[html.index('class="container page-languages"') :]
    bar = bar[: bar.index("</nav>")]
    assert f'<input type="hidden" name="next" value="{hebrew_story.url}">' in bar
    assert 'name="language" value="he"' in bar
    assert "עברית" in bar
    assert 'aria-current="true">English<' in bar


def test_switching_to_hebrew_lands_on_the_translation(client, story):
    translate(story, hebrew(), title="מדריך השכבות לחורף", slug="madrich-shchavot")
    hebrew_url = StoryPage.objects.get(locale__language_code="he").url

    response = client.post("/i18n/setlang/", {"language": "he", "next": hebrew_url}, follow=True)

    assert response.status_code == 200
    assert "מדריך השכבות לחורף" in response.content.decode()


def test_an_untranslated_story_falls_back_to_english_and_says_so(client, story):
    home, index = story.get_parent().get_parent().specific, story.get_parent().specific
    translate(index, hebrew(), title="סיפורים")
    other = factories.make_story(index, title="Inside the test lab", cover=False)

    html = get(client, other.url, "he")

    assert "Inside the test lab" in html
    assert 'class="container language-fallback"' in html
    with translation.override("en"):
        english = get(client, other.url, "en")
    assert "language-fallback" not in english
    assert home.live


def test_the_fallback_notice_names_both_languages(client, story):
    with translation.override("en"):
        html = get(client, story.url, "fi")

    notice = html[html.index("language-fallback") :]
    notice = notice[: notice.index("</div>")]
    # Django's own catalogs name the languages in the reader's language.
    assert "suomi" in notice.lower() or "Finnish" in notice
    assert "This page is not yet available in" in notice or "englanti" in notice.lower()


def test_story_lists_show_each_story_once_in_the_readers_language(client, story):
    _home, index = site_tree_of(story)
    translate(story, hebrew(), title="מדריך השכבות לחורף", intro="בסיס, ביניים ומעטפת.")
    factories.make_story(index, title="Inside the test lab", cover=False)

    html = get(client, index.url, "he")

    assert html.count("מדריך השכבות לחורף") >= 1
    assert "The layering guide for winter" not in html
    assert "Inside the test lab" in html
    english = get(client, index.url, "en")
    assert "מדריך השכבות לחורף" not in english
    assert "The layering guide for winter" in english


def site_tree_of(story):
    index = story.get_parent().specific
    return index.get_parent().specific, index


def test_brand_settings_are_shown_in_the_readers_language(client, site_tree):
    home, _index = site_tree
    brand = BrandSettings.for_site(home.get_site())
    brand.brand_name = "Trailmark"
    brand.tagline_he = "ציוד לאנשים שמעדיפים להיות בחוץ"
    brand.footer_text_he = "מרכז הקהילה של טריילמרק"
    brand.brand_name_he = "טריילמרק"
    brand.save()

    html = get(client, "/", "he")

    assert "טריילמרק" in html
    assert "מרכז הקהילה של טריילמרק" in html
    assert "Trailmark" in get(client, "/", "en")


# --- Names editors define --------------------------------------------------------------------


def count_queries(client, path: str, lang: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = get(client, path, lang)
    return len(queries), html


def test_forum_categories_are_named_in_hebrew_without_extra_queries(client, site_tree):
    from community.models import Category

    for number in range(4):
        Category.objects.create(
            name=f"Trail talk {number}", slug=f"trail-talk-{number}", name_he=f"שיחות שביל {number}"
        )
    get(client, "/community/", "en")  # warm the caches both languages share

    english_count, english = count_queries(client, "/community/", "en")
    hebrew_count, html = count_queries(client, "/community/", "he")

    assert "שיחות שביל 3" in html
    assert "Trail talk 3" in english
    assert hebrew_count <= english_count + 1


def test_products_are_named_in_hebrew_without_extra_queries(client, site_tree):
    from feedback.models import Product

    for number in range(4):
        Product.objects.create(
            name=f"Ridge jacket {number}", slug=f"ridge-{number}", name_he=f"מעיל רכס {number}"
        )
    get(client, "/products/", "en")

    english_count, english = count_queries(client, "/products/", "en")
    hebrew_count, html = count_queries(client, "/products/", "he")

    assert "מעיל רכס 2" in html
    assert "Ridge jacket 2" in english
    assert hebrew_count <= english_count + 1


def test_a_name_without_a_translation_falls_back_to_english():
    from hub.rewards.models import Tier

    tier = Tier.objects.create(name="Summit", threshold=123456, name_ka="მწვერვალი")

    with translation.override("ka"):
        assert Tier.objects.get(pk=tier.pk).name == "მწვერვალი"
    with translation.override("hy"):
        assert Tier.objects.get(pk=tier.pk).name == "Summit"


def test_tiers_and_badges_are_named_in_hebrew_on_the_points_page(member_client, member):
    from hub.rewards.models import Badge, BadgeAward, Tier

    # The tier every member starts in (the migrations make it), translated by an editor.
    Tier.objects.filter(threshold=0).update(name="Summit", name_en="Summit", name_he="פסגה")
    cache.clear()
    badge = Badge.objects.create(
        name="First steps", description="Wrote a first post", name_he="צעדים ראשונים"
    )
    BadgeAward.objects.create(user=member, badge=badge)

    english_count, english = count_queries(member_client, "/points/", "en")
    hebrew_count, html = count_queries(member_client, "/points/", "he")

    assert "פסגה" in html
    assert "צעדים ראשונים" in html
    assert "First steps" in english
    assert hebrew_count <= english_count + 1


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    from hub.accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(admin)
    return client


def test_an_editor_translates_a_tier_name_in_the_admin(admin_client):
    from hub.rewards.models import Tier

    tier = Tier.objects.create(name="Summit", threshold=4321)
    url = f"/admin/tiers/edit/{tier.pk}/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="name_he"' in response.content.decode()

    response = admin_client.post(
        url,
        {
            "name": "Summit",
            "threshold": 4321,
            "description": "",
            "colour": tier.colour,
            "points_multiplier": "1.00",
            "name_he": "פסגה",
            "name_fi": "Huippu",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    tier.refresh_from_db()
    assert (tier.name_en, tier.name_he, tier.name_fi) == ("Summit", "פסגה", "Huippu")


@pytest.mark.parametrize(
    "url_name, make",
    [
        (
            "badges:edit",
            lambda: __import__("hub.rewards.models").rewards.models.Badge.objects.create(
                name="B", description="d"
            ),
        ),
        (
            "community-categories:edit",
            lambda: __import__("community.models").models.Category.objects.create(
                name="C", slug="c"
            ),
        ),
        (
            "feedback_products:edit",
            lambda: __import__("feedback.models").models.Product.objects.create(name="P", slug="p"),
        ),
        (
            "feedback_idea_categories:edit",
            lambda: __import__("feedback.models").models.IdeaCategory.objects.create(
                name="I", slug="i"
            ),
        ),
    ],
)
def test_translated_admin_forms_open(admin_client, url_name, make):
    from django.urls import reverse

    row = make()
    response = admin_client.get(reverse(url_name, args=[row.pk]))

    assert response.status_code == 200
    assert "_he" in response.content.decode()


def test_a_story_translated_with_wagtail_localize_is_served_in_hebrew(
    client, story, django_capture_on_commit_callbacks
):
    """The editors' path: wagtail-localize extracts the story's segments, a translator fills
    them in, and publishing the translation creates the Hebrew page."""
    from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource
    from wagtail_localize.models import Translation as LocalizeTranslation

    translate(story.get_parent().specific, hebrew())  # the story index (and home) first
    source, _created = TranslationSource.get_or_create_from_instance(story)
    job = LocalizeTranslation.objects.create(source=source, target_locale=hebrew())
    hebrew_text = {
        "The layering guide for winter": "מדריך השכבות לחורף",
        "An introduction to The layering guide for winter.": "מבוא למדריך השכבות לחורף.",
    }
    for segment in StringSegment.objects.filter(source=source).select_related("string"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=hebrew(),
            context=segment.context,
            data=hebrew_text.get(segment.string.data, segment.string.data),
        )
    with django_capture_on_commit_callbacks(execute=True):  # it publishes after commit
        job.save_target(publish=True)

    html = get(client, story.url, "he")

    assert '<h1 class="story__title"><bdi>מדריך השכבות לחורף</bdi></h1>' in html
    assert "מבוא למדריך השכבות לחורף." in html
