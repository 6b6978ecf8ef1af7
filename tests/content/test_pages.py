"""The public brand pages: what they show, what they tell search engines, and what they cost."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage

from tests.factories import make_story

pytestmark = pytest.mark.django_db


def _soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314  (our own feed, not untrusted input)


def _card_titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in _soup(response).select(".story-card__title a")]


# --- Every page answers, at a cost that does not grow with the number of stories -------------

# The most queries each page may make once warm (renditions exist, look-ups are cached). Measured
# on SQLite with 3 and with 15 stories, plus a little headroom.
PAGE_QUERY_BOUNDS = {
    "/": 15,  # measured 13: stories, upcoming events, featured testimonials
    "/stories/": 15,  # 13
    "/stories/story-0/": 20,  # 18
    "/stories/?tag=trail": 15,  # 13
    "/stories/?page=2": 15,  # 13
    "/stories/feed/": 13,  # 11
    # Everything: a count and the best five of each of the seven kinds that match, plus the
    # picks; kinds with no match cost their count only.
    "/search/?q=introduction": 26,  # 16
    "/sitemap.xml": 9,  # 7
    "/robots.txt": 2,  # 0
    "/u/ana/": 5,  # 3
    "/accounts/login/": 4,  # 2
    "/accounts/signup/": 4,  # 2
}


def _add_stories(index, numbers, *, author):
    for n in numbers:
        tags = ["trail"] if n % 2 == 0 else ["gear"]
        make_story(index, title=f"Story {n}", tags=tags, days_ago=n, author=author)


def _queries_per_page(client, assert_max_queries) -> dict[str, int]:
    counts = {}
    for url, bound in PAGE_QUERY_BOUNDS.items():
        client.get(url)  # the first view renders image renditions and fills caches: writes
        with assert_max_queries(bound) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured)
    return counts


def test_every_public_page_answers_within_a_query_budget_that_does_not_grow_with_stories(
    client, site_tree, member, django_assert_max_num_queries
):
    _, index = site_tree
    _add_stories(index, range(3), author=member)
    with_3_stories = _queries_per_page(client, django_assert_max_num_queries)

    _add_stories(index, range(3, 15), author=member)
    with_15_stories = _queries_per_page(client, django_assert_max_num_queries)

    assert with_15_stories == with_3_stories


# --- The story index: tags and pages -----------------------------------------------------------


def test_story_index_lists_published_stories_but_not_drafts(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light")
    make_story(index, title="Draft story", publish=False)

    assert _card_titles(client.get("/stories/")) == ["Packing light"]


def test_tag_filter_shows_only_stories_with_that_tag(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light", tags=["guides"])
    make_story(index, title="Layering for winter", tags=["guides", "winter"], days_ago=1)
    make_story(index, title="Meetups are back", tags=["announcements"], days_ago=2)

    assert _card_titles(client.get("/stories/?tag=guides")) == [
        "Packing light",
        "Layering for winter",
    ]


def test_tag_filter_marks_the_chosen_tag_as_current(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light", tags=["guides"])
    make_story(index, title="Meetups are back", tags=["announcements"])

    current = _soup(client.get("/stories/?tag=guides")).select('.tag-filter [aria-current="page"]')

    assert len(current) == 1
    assert current[0]["href"] == "/stories/?tag=guides"
    assert "tag--active" in current[0]["class"]


def _thirteen_stories(index):
    for n in range(13):
        make_story(index, title=f"Story {n}", days_ago=n, cover=False)


def test_story_index_shows_twelve_stories_on_the_first_page(client, site_tree):
    _, index = site_tree
    _thirteen_stories(index)

    response = client.get("/stories/")

    assert _card_titles(response) == [f"Story {n}" for n in range(12)]
    assert "Page 1 of 2" in response.content.decode()


def test_second_page_shows_the_older_stories(client, site_tree):
    _, index = site_tree
    _thirteen_stories(index)

    response = client.get("/stories/?page=2")

    assert _card_titles(response) == ["Story 12"]
    assert "Page 2 of 2" in response.content.decode()


def test_page_number_past_the_end_shows_the_last_page(client, site_tree):
    _, index = site_tree
    _thirteen_stories(index)

    assert _card_titles(client.get("/stories/?page=999")) == ["Story 12"]


def test_page_number_that_is_not_a_number_shows_the_first_page(client, site_tree):
    _, index = site_tree
    _thirteen_stories(index)

    assert _card_titles(client.get("/stories/?page=abc"))[0] == "Story 0"


# --- Feeds, sitemap and robots.txt ---------------------------------------------------------------


def test_rss_feed_lists_published_stories_with_their_titles_and_links(client, site_tree):
    _, index = site_tree
    newer = make_story(index, title="Packing light & fast")
    older = make_story(index, title="Inside the test lab", days_ago=3)
    make_story(index, title="Draft story", publish=False)

    response = client.get("/stories/feed/")

    assert response["Content-Type"].startswith("application/rss+xml")
    items = _xml(response).findall("./channel/item")
    assert [item.findtext("title") for item in items] == [newer.title, older.title]
    assert [item.findtext("link") for item in items] == [newer.full_url, older.full_url]


def test_rss_feed_links_to_the_site_itself_not_a_placeholder_domain(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light")

    channel = _xml(client.get("/stories/feed/")).find("channel")

    atom = "{http://www.w3.org/2005/Atom}link"
    assert channel.findtext("link") == index.full_url == "http://localhost/stories/"
    assert channel.find(atom).get("href") == "http://localhost/stories/feed/"
    assert "example.com" not in ET.tostring(channel, encoding="unicode")


def test_sitemap_lists_published_stories_but_not_drafts(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light")
    draft = make_story(index, title="Draft story", publish=False)

    sitemap = _xml(client.get("/sitemap.xml"))

    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in sitemap.findall(".//sm:loc", namespace)]
    assert story.full_url in locations
    assert draft.full_url not in locations


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


# --- What a story tells search engines and link previews -----------------------------------------


def _meta(soup, **attrs) -> str:
    tag = soup.find("meta", attrs=attrs)
    assert tag is not None, f"no <meta {attrs}>"
    return tag["content"]


def test_story_title_tag_uses_the_seo_title_when_set(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light", seo_title="How to pack light for a week")

    soup = _soup(client.get(story.url))

    assert soup.title.get_text().startswith("How to pack light for a week ·")


def test_story_title_tag_falls_back_to_the_story_title(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light")

    assert _soup(client.get(story.url)).title.get_text().startswith("Packing light ·")


def test_story_meta_description_is_its_intro(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light", intro="Ten items, one backpack.")

    assert _meta(_soup(client.get(story.url)), name="description") == "Ten items, one backpack."


def test_story_meta_description_prefers_the_search_description(client, site_tree):
    _, index = site_tree
    story = make_story(
        index, title="Packing light", intro="Ten items.", search_description="For search engines."
    )

    assert _meta(_soup(client.get(story.url)), name="description") == "For search engines."


def test_story_link_preview_is_an_article_with_its_title_and_cover_image(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light", seo_title="Pack light")

    soup = _soup(client.get(story.url))

    assert _meta(soup, property="og:title") == "Pack light"
    assert _meta(soup, property="og:type") == "article"
    og_image = _meta(soup, property="og:image")
    assert og_image.startswith("http://testserver/media/images/")
    assert default_storage.exists(og_image.removeprefix("http://testserver/media/"))


def test_story_page_names_its_canonical_address(client, site_tree):
    _, index = site_tree
    story = make_story(index, title="Packing light")

    canonical = _soup(client.get(story.url)).find("link", rel="canonical")

    assert canonical["href"] == story.full_url == "http://localhost/stories/packing-light/"


def test_pages_are_english_left_to_right_by_default(client, site_tree):
    html = _soup(client.get("/stories/")).html

    assert (html["lang"], html["dir"]) == ("en", "ltr")


def test_pages_are_right_to_left_for_a_browser_asking_for_arabic(client, site_tree):
    html = _soup(client.get("/stories/", HTTP_ACCEPT_LANGUAGE="ar")).html

    assert (html["lang"], html["dir"]) == ("ar", "rtl")


def test_pages_are_right_to_left_once_a_reader_chooses_arabic(client, site_tree, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    html = _soup(client.get("/")).html

    assert (html["lang"], html["dir"]) == ("ar", "rtl")


# --- Search ---------------------------------------------------------------------------------------


def _result_titles(response) -> list[str]:
    # Searched words are wrapped in <mark>: join the pieces with their spaces.
    return [
        " ".join(a.get_text(" ", strip=True).split())
        for a in _soup(response).select(".search-result h2 a")
    ]


def test_search_finds_a_story_by_a_word_in_its_body(client, site_tree):
    _, index = site_tree
    make_story(index, title="Winter crossing", body=[("paragraph", "<p>Crampons bit hard.</p>")])
    make_story(index, title="Packing light")

    assert _result_titles(client.get("/search/?q=crampons")) == ["Winter crossing"]


def test_search_finds_a_story_by_a_word_in_its_intro(client, site_tree):
    _, index = site_tree
    make_story(index, title="Winter crossing", intro="Three days on the glacier.")
    make_story(index, title="Packing light")

    assert _result_titles(client.get("/search/?q=glacier")) == ["Winter crossing"]


def test_search_leaves_out_unpublished_drafts(client, site_tree):
    _, index = site_tree
    make_story(index, title="Glacier guide")
    make_story(index, title="Glacier secrets", publish=False)

    assert _result_titles(client.get("/search/?q=glacier")) == ["Glacier guide"]


def test_empty_search_shows_the_form_without_results(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light")

    soup = _soup(client.get("/search/?q="))

    assert soup.select("form.search-form")
    assert not soup.select(".search-results")


def test_very_long_search_query_is_answered_not_an_error(client, site_tree):
    _, index = site_tree
    make_story(index, title="Packing light")

    response = client.get("/search/", {"q": "packing " * 125})

    assert response.status_code == 200


# --- The header navigation ----------------------------------------------------------------------


def _header_links(response) -> dict[str, str]:
    links = _soup(response).select("header .site-nav__sections a")
    return {a.get_text(strip=True): a["href"] for a in links}


def test_header_links_to_stories_while_the_story_index_is_live(client, site_tree):
    assert _header_links(client.get("/")).get("Stories") == "/stories/"


def test_header_drops_stories_once_the_story_index_is_unpublished(client, site_tree):
    _, index = site_tree
    client.get("/")  # the story index's address is now cached
    index.unpublish()

    assert "Stories" not in _header_links(client.get("/"))


def test_header_has_no_stories_link_before_a_story_index_exists(client, site_tree):
    _, index = site_tree
    index.delete()

    assert "Stories" not in _header_links(client.get("/"))
