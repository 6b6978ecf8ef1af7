"""Where editors may create each brand page type, and creating stories through the Wagtail admin."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from hub.content.models import HomePage, StoryIndexPage, StoryPage
from tests.factories import make_editor

# --- Which page type goes where ---------------------------------------------------------------


class TestPageTypeRules(WagtailPageTestCase):
    def test_home_page_can_only_be_created_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_story_index_can_only_be_created_under_the_home_page(self):
        self.assertAllowedParentPageTypes(StoryIndexPage, {HomePage})
        self.assertCanCreateAt(HomePage, StoryIndexPage)

    def test_stories_can_only_be_created_under_the_story_index(self):
        self.assertAllowedParentPageTypes(StoryPage, {StoryIndexPage})
        self.assertCanNotCreateAt(HomePage, StoryPage)
        self.assertCanNotCreateAt(Page, StoryPage)

    def test_story_index_holds_only_stories(self):
        self.assertAllowedSubpageTypes(StoryIndexPage, {StoryPage})

    def test_stories_cannot_have_child_pages(self):
        self.assertAllowedSubpageTypes(StoryPage, set())
        self.assertCanNotCreateAt(StoryPage, StoryPage)


@pytest.mark.django_db
def test_a_home_page_can_be_created_at_the_root_while_there_is_none():
    assert HomePage.can_create_at(Page.get_first_root_node())


@pytest.mark.django_db
def test_a_second_home_page_cannot_be_created(site_tree):
    assert not HomePage.can_create_at(Page.get_first_root_node())


@pytest.mark.django_db
def test_a_second_story_index_cannot_be_created(site_tree):
    home, _ = site_tree
    assert not StoryIndexPage.can_create_at(home)


# --- Creating a story in the admin --------------------------------------------------------------


def _story_form(title: str, **extra) -> dict:
    """What the admin's "add story" form posts when an editor fills it in."""
    return nested_form_data(
        {
            "title": title,
            "slug": slugify(title),  # the admin fills it in from the title as you type
            "date": "2026-01-15",
            "intro": f"Everything we learned on {title.lower()}.",
            "tags": "winter, guides",
            "body": streamfield(
                [
                    ("heading", {"text": "Day one", "level": "h2"}),
                    ("paragraph", rich_text("<p>Snow up to our knees by noon.</p>")),
                    ("quote", {"quote": "Never again. Until next year.", "attribution": "Ben"}),
                ]
            ),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
            **extra,
        }
    )


def _add_story(client, index: StoryIndexPage, form: dict):
    response = client.post(f"/admin/pages/add/content/storypage/{index.pk}/", form)
    if response.status_code == 200:  # the form came back: show the editor's error messages
        pytest.fail(f"the admin refused the story: {response.context['form'].errors!r}")
    return response


@pytest.mark.django_db
def test_editor_publishes_a_story_from_the_admin_and_the_public_can_read_it(client, site_tree):
    _, index = site_tree
    client.force_login(make_editor())

    response = _add_story(client, index, _story_form("A winter crossing"))

    assert response.status_code == 302
    assert response.url == f"/admin/pages/{index.pk}/"
    story = StoryPage.objects.get(title="A winter crossing")
    assert story.live
    assert story.get_parent().specific == index
    assert sorted(story.tags.names()) == ["guides", "winter"]
    client.logout()
    page = client.get(story.url)
    assert page.status_code == 200
    assert "A winter crossing" in page.content.decode()
    assert "Snow up to our knees by noon." in page.content.decode()


@pytest.mark.django_db
def test_editor_without_publish_rights_only_saves_a_draft(client, site_tree):
    _, index = site_tree
    client.force_login(make_editor("writer", can_publish=False))

    response = _add_story(client, index, _story_form("Unreviewed story"))

    assert response.status_code == 302
    story = StoryPage.objects.get(title="Unreviewed story")
    assert not story.live
    client.logout()
    assert client.get("/stories/unreviewed-story/").status_code == 404


@pytest.mark.django_db
def test_scheduled_story_stays_hidden_until_publish_scheduled_runs_after_its_time(
    client, site_tree
):
    _, index = site_tree
    client.force_login(make_editor())
    go_live_at = timezone.localtime() + datetime.timedelta(days=1)
    form = _story_form("Spring opening", go_live_at=go_live_at.strftime("%Y-%m-%d %H:%M"))

    _add_story(client, index, form)
    client.logout()

    story = StoryPage.objects.get(title="Spring opening")
    assert not story.live
    call_command("publish_scheduled", verbosity=0)  # too early: nothing happens
    assert client.get("/stories/spring-opening/").status_code == 404
    assert "Spring opening" not in client.get("/stories/").content.decode()

    tomorrow = timezone.now() + datetime.timedelta(days=1, minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        call_command("publish_scheduled", verbosity=0)

    assert client.get("/stories/spring-opening/").status_code == 200
    assert "Spring opening" in client.get("/stories/").content.decode()
