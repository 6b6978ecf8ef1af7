"""RSS 2.0 feed of the latest published stories, served by StoryIndexPage at feed/."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

FEED_LENGTH = 20


class StoryFeed(Feed):
    """The feed of ``index_page`` (a StoryIndexPage), listing ``stories`` (newest first)."""

    feed_type = Rss201rev2Feed

    def __init__(self, index_page, stories):
        super().__init__()
        self.index_page = index_page
        self.stories = stories

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index_page.seo_title or self.index_page.title

    # Absolute URLs from the Wagtail site, as in the sitemap and canonical links: Django would
    # otherwise prefix relative ones with django.contrib.sites' domain ("example.com").
    def link(self):
        return self.index_page.get_full_url(self.request)

    def feed_url(self):
        return self.link() + self.index_page.reverse_subpage("feed_view")

    def description(self):
        return self.index_page.search_description or _("The latest stories from the brand.")

    def items(self):
        return self.stories[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.author.public_name if item.author else None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]
