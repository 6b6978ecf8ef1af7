"""Whole pages from the shared cache for anonymous readers; conditional GET for members.

A view (or a Wagtail page, through ``hub.content.wagtail_hooks``) opts in by calling
``cache_for_anonymous(request, "topic:12", "category:3", "forum")`` with the tags its content
depends on. ``PageCacheMiddleware`` then:

- for an anonymous reader (GET or HEAD, no session cookie, no messages waiting), answers from the
  cache when an entry for the same scheme, host, language, path and query is there and none of
  its tags was touched since it was stored (zero database queries); else lets the view render and
  stores the response, unless it is not a plain 200 or it is tied to this visitor: it set a
  cookie, used the CSRF token (``{% csrf_token %}``), changed the session or queued a message.
  Every anonymous answer carries ``ETag``, ``Last-Modified``, ``Vary: Cookie, Accept-Language``
  and ``Cache-Control: public, max-age=PAGECACHE_MAX_AGE, stale-while-revalidate=…`` so a CDN or
  nginx can hold it for a few seconds too; ``If-None-Match`` answers 304;
- for a signed-in member, never uses the shared cache: it renders as always, then adds a private
  ``ETag`` (a hash of the page, the member and their CSRF secret) and
  ``Cache-Control: private, no-cache``, so a browser that asks again with ``If-None-Match`` gets
  a 304 and no body when nothing on the page changed.

Invalidation: services call ``touch("topic:12", "category:3", "forum")`` for what a change
affects; at once and again after the transaction commits each tag gets a new version, and every entry that
recorded an older version of one of its tags is a miss from then on. An entry rendered while a
change was committing is not stored (its tags' versions are newer than the request), so a page
rendered from before a change is never kept after it. Entries also expire after
``PAGECACHE_SECONDS`` (10 s), which bounds what no tag names (a renamed member, "5 minutes ago").

While Redis is down (``hub.cache.ResilientRedisCache``) every lookup is a miss and nothing is
stored: anonymous pages are rendered for each request, as without this module.
"""

import hashlib
import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

ENTRY_PREFIX = "pagecache:page:"
TAG_PREFIX = "pagecache:tag:"
HEADER = "X-Page-Cache"
# Headers of the rendered response that are the page's, not the visitor's.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "X-Frame-Options",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Link",
)
# A masked CSRF token (and the like): per request, so left out of a member's page hash.
_TOKEN = re.compile(rb"\b[A-Za-z0-9]{64}\b")


def _cache():
    return caches[getattr(settings, "PAGECACHE_ALIAS", "default")]


def _seconds() -> int:
    return int(getattr(settings, "PAGECACHE_SECONDS", 10))


def _max_age() -> int:
    return int(getattr(settings, "PAGECACHE_MAX_AGE", 5))


def _stale_seconds() -> int:
    return int(getattr(settings, "PAGECACHE_STALE_SECONDS", 5))


def _enabled() -> bool:
    return bool(getattr(settings, "PAGECACHE_ENABLED", True))


@dataclass
class _Mark:
    tags: tuple[str, ...]
    query: frozenset[str]


def cache_for_anonymous(request, *tags: str, query=("page",)) -> None:
    """Let this GET's response be shared between anonymous readers, dropped when one of ``tags``
    is touched. ``query`` names the parameters the page reads: an address with any other
    parameter is rendered, never stored (so junk parameters cannot fill the cache)."""
    mark = getattr(request, "_pagecache", None)
    merged = tuple(dict.fromkeys((*(mark.tags if mark else ()), *(t for t in tags if t))))
    request._pagecache = _Mark(
        tags=merged, query=frozenset(query) | (mark.query if mark else set())
    )


def touch(*tags: str) -> None:
    """Drop every cached page that depends on one of ``tags``: at once, and again when the
    current transaction commits. Call it from services for any change readers should see."""
    tags = tuple(t for t in tags if t)
    if not tags:
        return
    # Now, so nothing cached before the change is served from here on (this also covers a
    # transaction whose commit is never seen, as in tests), and again after the commit, since
    # a reader may have cached the page from the not-yet-committed rows meanwhile.
    _bump(tags)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(tags), robust=True)


def _new_version() -> str:
    return f"{time.time():.6f}:{uuid.uuid4().hex[:8]}"


def _version_time(version) -> float:
    try:
        return float(str(version).split(":", 1)[0])
    except ValueError:
        return float("inf")


def _bump(tags) -> None:
    version = _new_version()
    _cache().set_many({TAG_PREFIX + tag: version for tag in tags}, timeout=None)


def _versions(tags) -> dict[str, str]:
    keys = [TAG_PREFIX + tag for tag in tags]
    found = _cache().get_many(keys) if keys else {}
    return {tag: found.get(TAG_PREFIX + tag) for tag in tags}


def tag_version(tag: str) -> str | None:
    """The current version of ``tag`` (a new one after each ``touch``), for keying things other
    than whole pages (members' page fragments) by what they show; None while the cache keeps
    nothing (Redis down), so the caller renders afresh."""
    return tag_versions((tag,))[tag]


def tag_versions(tags) -> dict[str, str | None]:
    """The current versions of ``tags`` in one round trip (``tag_version`` for several); a tag
    never touched gets its first version. A version is None while the cache keeps nothing."""
    tags = tuple(dict.fromkeys(t for t in tags if t))
    versions = _versions(tags)
    missing = [tag for tag, version in versions.items() if version is None]
    if missing:
        for tag in missing:
            _cache().add(TAG_PREFIX + tag, f"0:{uuid.uuid4().hex[:8]}", timeout=None)
        versions.update(_versions(missing))
    return versions


def request_versions(request, tags) -> dict[str, str | None]:
    """``tag_versions`` read at most once per request and tag (templates ask several times)."""
    known = request.__dict__.setdefault("_pagecache_versions", {}) if request else {}
    missing = [tag for tag in tags if tag and tag not in known]
    if missing:
        known.update(tag_versions(missing))
    return {tag: known.get(tag) for tag in tags if tag}


def _entry_key(request) -> str:
    address = "|".join(
        (
            request.scheme,
            request.get_host(),
            get_language() or "",
            request.path,
            request.META.get("QUERY_STRING", ""),
        )
    )
    return ENTRY_PREFIX + hashlib.sha256(address.encode()).hexdigest()


def _is_shared_reader(request) -> bool:
    """An anonymous reader whose page is the same as every other anonymous reader's."""
    if request.method not in ("GET", "HEAD") or not _enabled():
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # Signed in, or an anonymous session (a page password, a pending message): not shared.
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not (hasattr(request, "_messages") and len(get_messages(request)))


def _public_headers(response, etag: str, stored_at: float) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(stored_at)
    patch_cache_control(
        response,
        public=True,
        max_age=_max_age(),
        stale_while_revalidate=_stale_seconds(),
    )
    patch_vary_headers(response, ("Cookie", "Accept-Language"))


def _from_cache(request, key: str):
    entry = _cache().get(key)
    if not entry:
        return None
    if _versions(entry["tags"]) != entry["versions"]:
        return None
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"]:
        response.headers[name] = value
    _public_headers(response, entry["etag"], entry["stored_at"])
    response.headers[HEADER] = "hit"
    conditional = get_conditional_response(
        request, etag=entry["etag"], last_modified=int(entry["stored_at"]), response=response
    )
    return conditional


def _shareable(request, response, mark: _Mark) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "added_new", False):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:  # the view signed someone in
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return False
    return set(request.GET).issubset(mark.query)


def _store(request, response, mark: _Mark, key: str, started: float) -> None:
    versions = _versions(mark.tags)
    missing = [tag for tag, version in versions.items() if version is None]
    if missing:
        # A tag never touched (or evicted): give it a version (dated long ago, as no change is
        # known) so that a later touch changes it; ``add`` keeps a touch that came first.
        for tag in missing:
            _cache().add(TAG_PREFIX + tag, f"0:{uuid.uuid4().hex[:8]}", timeout=None)
        versions = _versions(mark.tags)
        if any(version is None for version in versions.values()):
            return  # the cache is not keeping what it is given (Redis down)
    # A change committed (or was committing) while this page was rendered: it may predate it.
    # (With some slack for clocks that differ between servers.)
    slack = float(getattr(settings, "PAGECACHE_CLOCK_SLACK", 1.0))
    if any(_version_time(version) >= started - slack for version in versions.values()):
        return  # a change committed while this page was rendered: it may predate it
    stored_at = time.time()
    etag = quote_etag("a-" + hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
    _cache().set(
        key,
        {
            "content": response.content,
            "headers": headers,
            "tags": mark.tags,
            "versions": versions,
            "etag": etag,
            "stored_at": stored_at,
        },
        _seconds(),
    )
    _public_headers(response, etag, stored_at)


def _member_etag(request, response) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    digest.update(str(request.user.pk).encode())
    digest.update(str(request.META.get("CSRF_COOKIE", "")).encode())
    digest.update(get_language().encode() if get_language() else b"")
    digest.update(_TOKEN.sub(b"", response.content))
    return f'W/"m-{digest.hexdigest()}"'


class PageCacheMiddleware:
    """Serves and stores anonymous readers' pages; adds conditional GET for members.

    Sits after the session, CSRF, authentication, language and messages middleware (it needs
    to know who is asking and in which language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.time()
        shared = _is_shared_reader(request)
        key = _entry_key(request) if shared else None
        if shared:
            cached = _from_cache(request, key)
            if cached is not None:
                return cached
        response = self.get_response(request)
        mark = getattr(request, "_pagecache", None)
        if mark is None:
            return response
        if shared:
            if _shareable(request, response, mark):
                _store(request, response, mark, key, started)
                response.headers.setdefault(HEADER, "miss")
            else:
                response.headers[HEADER] = "skip"
                patch_cache_control(response, private=True)  # tied to this visitor
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # An anonymous visitor with a session (or a POST): their page is theirs alone.
            patch_cache_control(response, private=True)
            return response
        if (
            user.is_authenticated
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
        ):
            response.headers["ETag"] = _member_etag(request, response)
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
            response.headers[HEADER] = "private"
            return get_conditional_response(
                request, etag=response.headers["ETag"], response=response
            )
        return response
