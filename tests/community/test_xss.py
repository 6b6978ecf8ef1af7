"""The sanitizer against a corpus of XSS payloads, in forum posts, topic titles and comments."""

import re
from pathlib import Path

import pytest

from community import services
from tests.factories import build_site_tree, make_story

pytestmark = pytest.mark.django_db

PAYLOADS = [
    line for line in (Path(__file__).parent / "xss_payloads.txt").read_text().splitlines() if line
]
TAG = re.compile(r"<([a-zA-Z][\w-]*)([^>]*)>")
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "meta", "base"}
DANGEROUS_ATTRS = re.compile(r"\son\w+\s*=|javascript:|vbscript:|data:text/html", re.I)


def assert_safe(html: str) -> None:
    """No live dangerous tag or attribute; escaped text ("&lt;script&gt;") is harmless."""
    for name, attrs in TAG.findall(html):
        assert name.lower() not in DANGEROUS_TAGS, f"<{name}{attrs}>"
        assert not DANGEROUS_ATTRS.search(attrs), f"<{name}{attrs}>"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_posts_render_no_live_script(payload, ana, ben, category, limits, client):
    topic = services.create_topic(by=ana, category=category, title="Payloads", body=payload)
    services.create_reply(by=ben, topic=topic, body=f"Reply: {payload}")
    assert_safe(topic.posts.get(number=1).html)
    response = client.get(topic.get_absolute_url())
    body = response.content.decode()
    main = body[body.index('<main id="main"') : body.index("</main>")]
    assert_safe(main)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_topic_titles_are_escaped_everywhere(payload, ana, category, limits, client):
    topic = services.create_topic(by=ana, category=category, title=payload, body="body")
    for url in [topic.get_absolute_url(), category.get_absolute_url(), "/community/latest/"]:
        body = client.get(url).content.decode()
        main = body[body.index('<main id="main"') : body.index("</main>")]
        assert_safe(main)
        assert "<script>alert(1)" not in body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_story_comments_render_no_live_script(payload, ana, limits, client):
    _home, index = build_site_tree()
    story = make_story(index, title="Trail report", cover=False)
    services.post_comment(by=ana, target=story, body=payload)
    body = client.get(story.url).content.decode()
    section = body[
        body.index('id="comments"') : body.index("</section>", body.index('id="comments"'))
    ]
    assert_safe(section)
