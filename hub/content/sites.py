"""Wagtail's site for a page request, looked up once per host and version of the page tree and
kept in the process (hub.fragments), not queried on every page.

Wagtail looks the site up for each request (``Site.find_for_request``, a query joining the root
page) and keeps it on the request for the rest of it (``request._wagtail_site``, as its docstring
says). ``KeptSiteMiddleware`` gives Wagtail's page view a copy of the site (and its root page) last
looked up for the same host and port while neither the page tree (``pages``: every publish,
unpublish, move, slug change or delete) nor the sites (``sites``: every saved or deleted site)
changed: a fresh copy for each request, so nothing one request caches on it reaches another.
"""

import pickle

from wagtail import views as wagtail_views
from wagtail.models import Site

from hub import fragments, pagecache

KEPT = fragments.FragmentCache(kept=64)
NO_SITE = b""


def remember_site(request) -> None:
    """Put the request's Wagtail site in place from the kept copy (or look it up and keep it)."""
    if not fragments.enabled() or hasattr(request, "_wagtail_site"):
        return
    versions = pagecache.request_versions(request, ("pages", "sites"))
    if None in versions.values():
        return  # nothing is kept while the cache keeps nothing: Wagtail looks it up itself
    key = (request._get_raw_host(), request.get_port(), versions["pages"], versions["sites"])
    kept = KEPT.get(key)
    if kept is None:
        site = Site.find_for_request(request)
        KEPT.set(key, pickle.dumps(site) if site is not None else NO_SITE)
        return
    request._wagtail_site = pickle.loads(kept) if kept else None  # noqa: S301  (our own bytes)


class KeptSiteMiddleware:
    """Before Wagtail serves a page, its site comes from the kept copy (``remember_site``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_views.serve:
            remember_site(request)
