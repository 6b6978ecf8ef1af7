"""Wagtail hooks of the brand content: every live page served to anonymous readers may come from
the shared page cache (hub/pagecache.py)."""

from wagtail import hooks

from hub import pagecache


@hooks.register("before_serve_page")
def share_page_with_anonymous_readers(page, request, serve_args, serve_kwargs):
    # "pages": any publish, unpublish, move or delete (menus and listings show other pages);
    # a page type may add what else it shows (page_cache_tags) and the parameters it reads.
    extra = getattr(page, "page_cache_tags", ())
    pagecache.cache_for_anonymous(
        request,
        "pages",
        f"page:{page.pk}",
        *(extra() if callable(extra) else extra),
        query=getattr(page, "page_cache_query", ("page",)),
    )
