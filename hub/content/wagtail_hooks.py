"""Wagtail hooks of the brand content: every live page served to anonymous readers may come from
the shared page cache (hub/pagecache.py)."""

from wagtail import hooks

from hub import fragments, pagecache


@hooks.register("before_serve_page")
def share_page_with_anonymous_readers(page, request, serve_args, serve_kwargs):
    # "pages": any publish, unpublish, move or delete (menus and listings show other pages);
    # a page type may add what else it shows (page_cache_tags) and the parameters it reads.
    extra = getattr(page, "page_cache_tags", ())
    tags = ("pages", f"page:{page.pk}", *(extra() if callable(extra) else extra))
    pagecache.cache_for_anonymous(
        request, *tags, query=getattr(page, "page_cache_query", ("page",))
    )
    user = getattr(request, "user", None)
    if fragments.enabled() and user is not None and user.is_authenticated:
        # A member's page is put together from pieces kept under these tags' versions
        # ({% versions %} in the templates): read them all in one round trip.
        pagecache.request_versions(request, tags)
