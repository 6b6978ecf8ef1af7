"""Hostile and malformed input to every URL pattern and form answers 4xx, never 500 (issue 13, item 7).

The URL resolver is walked; every pattern with parameters is called with ids beyond 2**63,
Unicode digits, quotes, NUL and very long strings in their place, and every pattern without
parameters is sent the same in its query string and as a POST form (the test client does not
enforce CSRF, so each form's own handling is what runs). Each runs as a visitor, a member and an
administrator, over a site with a topic, an event, a review, an idea, a story comment and
notifications in it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from community import services as community
from events import services as events
from feedback import services as feedback
from hub.notifications.services import ANNOUNCEMENT, notify
from tests.community.factories import make_category, make_topic
from tests.events.factories import build_event_index, make_event
from tests.factories import UserFactory, make_story
from tests.feedback.factories import ProductFactory, make_idea

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HUGE = str(2**64)
PATH_VALUES = [HUGE, "9" * 30, "²", '"', "A" * 300]
QUERY_VALUES = [HUGE, "¹²", '"unterminated NEAR(a b) OR x:y*', "-1", "word", "A" * 3000]
QUERY_NAMES = [
    "q", "quote", "next", "page", "p", "id", "pk", "post", "perk", "filter", "sort", "ordering",
    "category", "status", "format", "export", "event", "user", "product", "kind", "level",
    "tag", "from", "to", "days", "period",
]  # fmt: skip
# Wagtail's own page that raises on purpose to show the 500 page; signing out ends the session.
SKIP = re.compile(r"(failwhale|logout|/delete-account|account/delete)")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _urls():
    """(url, has parameters) for every route that is not a regular expression."""
    for pattern in _walk(get_resolver()):
        if pattern.startswith("^") or "(?P" in pattern or SKIP.search(pattern):
            continue
        if CONVERTER.search(pattern):
            for value in PATH_VALUES:
                yield "/" + CONVERTER.sub(value, pattern), True
        else:
            yield "/" + pattern, False


@pytest.fixture
def populated(site_tree):
    home, stories = site_tree
    author = UserFactory(username="author", display_name="Author")
    reader = UserFactory(username="reader")
    topic = make_topic(make_category("talk"), author, posts=2, poster=reader)
    event = make_event(build_event_index(home))
    events.register_rsvp(event, by=reader)
    product = ProductFactory()
    feedback.submit_review(product, by=reader, rating=4, title="Good", body="Works.")
    make_idea(author, title="Dark mode")
    story = make_story(stories, title="A story")
    community.post_comment(by=reader, target=story, body="Nice")
    notify(reader, ANNOUNCEMENT, text="Hello")
    return {"author": author, "reader": reader, "topic": topic, "when": timezone.now()}


def _who(name, populated):
    if name == "visitor":
        return None
    if name == "member":
        return populated["reader"]
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["visitor", "member", "administrator"])
def test_no_input_to_any_url_answers_500(client, populated, who):
    user = _who(who, populated)
    if user is not None:
        client.force_login(user)
    client.raise_request_exception = False
    failures = []

    def check(method, url, data=None):
        response = getattr(client, method)(url, data or {})
        if response.status_code >= 500:
            failures.append(
                f"{response.status_code} {method.upper()} {url[:100]} {data and list(data.values())[0][:20]!r}"
            )

    for url, has_parameters in _urls():
        check("get", url)
        if has_parameters:
            check("post", url)
            continue
        for value in QUERY_VALUES:
            check("get", url, dict.fromkeys(QUERY_NAMES, value))
            check("post", url, dict.fromkeys(QUERY_NAMES, value))
        if user is not None:  # sign-in may have been ended by a form (password change…)
            client.force_login(user)
    assert not failures, "\n".join(failures)
