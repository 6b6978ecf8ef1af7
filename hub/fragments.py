"""Rendered pieces of members' pages, kept for a few seconds and shared between members.

A member's page is rendered for them alone, but most of it is the same for every member in the
same position: a forum post seen by a plain member who has not reacted to it, a topic row with
nothing unread. Views key each piece by everything it shows (a version of what it depends on,
the language and the viewer's *class*: own post? moderator? which reactions are theirs?) and
keep its HTML here, in the process, for ``FRAGMENT_SECONDS`` (10 s: the bound on what no key
names, like "5 minutes ago" or a renamed member, as for the anonymous page cache).

A piece never holds a CSRF token: it is rendered with ``CSRF_MARK`` in the token's place, and
``fill_csrf_token`` puts the request's own token in once per response. The mark is derived from
``SECRET_KEY``, so no member can write it into a post to have another member's token filled in.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject

from hub import pagecache

KEPT = 8192
_ALL: list = []


def _seconds() -> float:
    return float(getattr(settings, "FRAGMENT_SECONDS", 10))


def enabled() -> bool:
    return bool(getattr(settings, "FRAGMENT_CACHE_ENABLED", True))


def version_of(tag: str) -> str | None:
    """``tag``'s page-cache version (``hub.pagecache``: touched by every service that changes
    what it names), to key what is kept by; None when nothing may be kept (pieces turned off,
    or Redis down): then everything is read and rendered afresh."""
    return pagecache.tag_version(tag) if enabled() else None


def _mark() -> str:
    return "csrf-mark-" + salted_hmac("hub.fragments.csrf", "mark").hexdigest()[:40]


# Rendered in place of the token by the pieces kept here (``{% csrf_token %}`` writes it out).
CSRF_MARK = SimpleLazyObject(_mark)


class FragmentCache:
    """A bounded, thread-safe map of key → HTML whose entries live ``FRAGMENT_SECONDS``."""

    def __init__(self, kept: int = KEPT):
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._kept = kept
        _ALL.append(self)

    def get(self, key):
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key, html) -> None:
        expires = time.monotonic() + _seconds()
        with self._lock:
            self._entries[key] = (expires, html)
            self._entries.move_to_end(key)
            while len(self._entries) > self._kept:
                self._entries.popitem(last=False)

    def get_or_read(self, key, read, *, keep: bool = True):
        """What is kept under ``key``, else what ``read()`` returns, kept there when ``keep``
        (pass ``keep=False`` when the key has no version: nothing may be kept). Read the version
        *before* the rows, so rows from before a change are never kept under the one after."""
        value = self.get(key) if keep else None
        if value is None:
            value = read()
            if keep and value is not None:
                self.set(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def clear_all() -> None:
    """Forget every kept piece (tests start from nothing)."""
    for kept in _ALL:
        kept.clear()


def fill_csrf_token(request, response):
    """Put the request's own CSRF token where kept pieces hold ``CSRF_MARK``."""
    if response.streaming:
        return response
    mark = str(CSRF_MARK).encode()
    if mark in response.content:
        response.content = response.content.replace(mark, get_token(request).encode())
    return response


class CsrfMarkMiddleware:
    """Fills the request's CSRF token into kept pieces of the page (``fill_csrf_token``). Sits
    after the page cache in MIDDLEWARE, so a page is filled before it could be stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return fill_csrf_token(request, self.get_response(request))
