"""Site search across published pages (Wagtail search: PostgreSQL full-text in production), and
the sitemap, cached until editors next change the page tree."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from wagtail.contrib.search_promotions.models import Query
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Page

from hub.i18n.sitemaps import LocalizedSitemap

from .queries import pages_version

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page_obj = None
    results: list = []
    promotions: list = []
    if query:
        matches = Page.objects.live().public().exclude(depth__lte=1).search(query)
        page_obj = Paginator(matches, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # One query per page type instead of one per result.
        ids = [page.pk for page in page_obj.object_list]
        specific = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
        results = [specific[pk] for pk in ids if pk in specific]
        search_query = Query.get(query)
        search_query.add_hit()  # popular searches, for editors (Reports › Search terms)
        promotions = list(search_query.editors_picks.select_related("page").order_by("sort_order"))
    return render(
        request,
        "content/search.html",
        {
            "query": query,
            "results": results,
            "page_obj": page_obj,
            "promotions": promotions,
            "extra_query": urlencode({"q": query}),
        },
    )


SITEMAP_TTL = 60 * 60 * 6


@require_GET
def sitemap(request):
    """/sitemap.xml: rendering every page's URL costs time in proportion to the site, so the
    result is cached per host and dropped whenever a page is published, moved or deleted."""
    key = f"content:sitemap:{request.scheme}:{request.get_host()}:{pages_version()}"
    body = cache.get(key)
    if body is None:
        response = wagtail_sitemap(request, sitemaps={"pages": LocalizedSitemap})
        response.render()
        body = response.content
        cache.set(key, body, SITEMAP_TTL)
    return HttpResponse(body, content_type="application/xml")
