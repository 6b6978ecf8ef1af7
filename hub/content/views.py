"""The site search (every kind of content, hub.sitesearch) with its suggestions, and the
sitemap, cached until editors next change the page tree."""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from wagtail.contrib.search_promotions.models import Query
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from hub import sitesearch
from hub.i18n.sitemaps import LocalizedSitemap
from hub.search import search_words

from .queries import pages_version

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """One search for everything: the best few of every kind ranked together, or one kind
    (``?kind=reviews``) paged; editors' picks first. Each kind's source leaves out what the
    visitor may not see."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("kind", "")
    if sitesearch.source(kind) is None:
        kind = ""
    hits, counts, page_obj, promotions = [], {}, None, []
    if query:
        if kind:
            found, to_hits = sitesearch.search_kind(query, request.user, kind)
            page_obj = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            hits = to_hits(page_obj.object_list)
            counts = {kind: page_obj.paginator.count}
        else:
            hits, counts = sitesearch.search_everything(query, request.user)
        search_query = Query.get(query)
        search_query.add_hit()  # popular searches, for editors (Reports › Search terms)
        promotions = list(search_query.editors_picks.select_related("page").order_by("sort_order"))
    words = search_words(query)
    for hit in hits:
        hit.title_html = sitesearch.highlight(hit.title, words)
        hit.snippet_html = sitesearch.highlight(sitesearch.snippet(hit.text, words), words)
    return render(
        request,
        "content/search.html",
        {
            "query": query,
            "kind": kind,
            "kinds": [
                {"kind": src.kind, "label": src.label, "count": counts.get(src.kind)}
                for src in sitesearch.sources()
            ],
            "total": sum(counts.values()),
            "hits": hits,
            "page_obj": page_obj,
            "promotions": promotions,
            "extra_query": urlencode({"q": query, "kind": kind}),
        },
    )


SUGGEST_TTL = 60


@require_GET
def suggest(request):
    """What the header's search box suggests as people type: a few of the best hits as JSON,
    cached a minute per query and language for visitors (members may see more)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    words = search_words(query)
    if len(words) < 2:
        return JsonResponse({"results": []})
    key = None
    if not request.user.is_authenticated:
        key = f"search:suggest:{get_language()}:{hashlib.sha256(words.encode()).hexdigest()}"
        cached = cache.get(key)
        if cached is not None:
            return JsonResponse(cached)
    body = {
        "results": [
            {"kind": hit.label, "title": hit.title, "url": hit.url, "meta": hit.meta}
            for hit in sitesearch.suggestions(query, request.user)
        ]
    }
    if key:
        cache.set(key, body, SUGGEST_TTL)
    return JsonResponse(body)


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
