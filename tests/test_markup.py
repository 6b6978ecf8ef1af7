"""hub.markup: member Markdown renders, and nothing in it can run script in a page."""

import pytest

from hub.markup import plain_text, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<form action="https://evil.example"><button>go</button></form>',
    "<<script>script>alert(1)<</script>/script>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_rendering(payload):
    html = str(render_markdown(payload)).lower()
    for marker in ("<script", "onerror", "onload", "javascript:", "<iframe", "<svg", "style=",
                   "data:text", "<form", "<button"):  # fmt: skip
        assert marker not in html


def test_links_are_marked_as_user_content():
    html = str(render_markdown("[our shop](https://shop.example)"))
    assert 'href="https://shop.example"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_fenced_code_keeps_its_language_and_escapes_markup():
    html = str(render_markdown("```python\nprint('<b>')\n```"))
    assert '<code class="language-python">' in html
    assert "&lt;b&gt;" in html


def test_plain_text_is_text_not_html():
    assert plain_text("Fish & chips <3, 'quoted' &amp; more") == "Fish & chips <3, 'quoted' & more"
    assert plain_text("`<b>`") == "<b>"
    assert plain_text("a&nbsp;b") == "a b"


def test_plain_text_drops_markup_and_shortens():
    assert plain_text("**Hello** _there_ <script>x</script>") == "Hello there"
    assert plain_text("one two three four", limit=8) == "one two…"


def test_a_bare_web_address_becomes_a_link():
    html = str(render_markdown("See https://example.org/a?b=1&c=2. Or www.example.com, too"))
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>." in html
    )
    assert (
        '<a href="http://www.example.com" rel="nofollow ugc noopener">www.example.com</a>,' in html
    )


def test_a_bare_address_keeps_its_own_brackets_not_the_sentences():
    html = str(render_markdown("(https://en.wikipedia.org/wiki/Tent_(camping))"))
    assert 'href="https://en.wikipedia.org/wiki/Tent_(camping)"' in html
    assert "</a>)" in html


@pytest.mark.parametrize(
    "text",
    ["`https://example.org`", "```\nhttps://example.org\n```", "    https://example.org"],
)
def test_an_address_in_code_stays_text(text):
    assert "<a " not in str(render_markdown(text))


def test_a_link_with_an_address_as_its_words_is_not_linked_twice():
    html = str(render_markdown("[https://example.org](https://example.org)"))
    assert html.count("<a ") == 1


def test_pictures_show_only_from_our_own_uploads(settings):
    html = str(render_markdown("![map](/media/composer/1/map.webp)"))
    assert '<img alt="map" src="/media/composer/1/map.webp">' in html
    tracker = str(render_markdown("![pixel](https://tracker.example/p.gif)"))
    assert "<img" not in tracker
    assert (
        '<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">pixel</a>' in tracker
    )
    assert "<img" not in str(render_markdown('<img src="/media/../admin/">'))
