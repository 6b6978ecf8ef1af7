"""Member text of the forum and story comments as HTML: Markdown through hub.markup, with
@mentions of members linked to their profiles (hub.mentions). Reading and writing both use it."""

from hub.mentions import render_all, render_with_mentions


def render_post(body: str) -> tuple[str, list]:
    """The post's sanitized HTML with @mentions linked to profiles, and who was mentioned."""
    html, mentioned = render_with_mentions(body)
    return str(html), mentioned


def render_many(bodies: list[str]) -> list[str]:
    """Sanitized HTML for many texts (a page of comments), their mentions looked up at once."""
    return [str(html) for html in render_all(bodies)]
