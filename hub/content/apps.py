from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "hub.content"
    label = "content"
    verbose_name = _("Brand content")

    def ready(self):
        from hub.navigation import register_nav_item
        from hub.sitesearch import register_source

        from . import signals  # noqa: F401  (cache invalidation on publish)
        from .queries import search_stories, story_hits, story_index_url

        register_nav_item("stories", _("Stories"), story_index_url, order=10)
        register_source("stories", _("Stories"), results=search_stories, hits=story_hits, order=10)
