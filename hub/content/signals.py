"""Drop cached content look-ups (and cached pages) when editors publish, unpublish, move or delete pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from hub import pagecache

from .queries import clear_caches


@receiver(page_published)
@receiver(page_unpublished)
@receiver(page_slug_changed)
@receiver(post_page_move)
def _content_changed(sender, **kwargs):
    clear_caches()
    pagecache.touch("pages")


@receiver(post_save, sender="wagtailcore.Site")
@receiver(post_delete, sender="wagtailcore.Site")
def _site_changed(sender, **kwargs):
    # Kept copies of the site (hub/content/sites.py) are stale from now on.
    pagecache.touch("sites")


@receiver(post_delete, sender="content.StoryPage")
@receiver(post_delete, sender="content.StoryIndexPage")
def _content_deleted(sender, **kwargs):
    clear_caches()
    pagecache.touch("pages")
