"""Reviews and idea rows rendered once and shared between members who see them alike.

A piece's HTML is kept (hub.fragments, for FRAGMENT_SECONDS) under a key made of what it shows:
the page-cache version of the page it is on (every service that changes a review, its helpful
count or reply, an idea, its votes, status or comments touches ``product:<pk>`` or ``ideas``,
see services._page_tags), the item, the language and time zone, and the viewer's class for that
item: signed in or not, own review or not, and whether the helpful mark or the vote is theirs.
Two members who have not voted for an idea share its row; one member's vote never reaches
another's key. Pieces hold ``hub.fragments.CSRF_MARK`` for the token (filled in per response).
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from hub import fragments

from . import queries

REVIEWS = fragments.FragmentCache()
IDEA_ROWS = fragments.FragmentCache()

REVIEW_TEMPLATE = "feedback/includes/review.html"
IDEA_ROW_TEMPLATE = "feedback/includes/idea_row.html"


def _place() -> tuple:
    return (get_language(), timezone.get_current_timezone_name())


def _render(template: str, request, **context) -> str:
    return mark_safe(  # noqa: S308  (the template's own escaped output)
        render_to_string(
            template,
            {
                **context,
                "user": request.user,
                "request": request,
                "csrf_token": fragments.CSRF_MARK,
            },
        )
    )


def render_reviews(request, reviews, *, product, version) -> None:
    """Give each review its HTML as ``review.fragment`` (``found_helpful`` set on each for this
    member), kept or rendered now; only the reviews rendered now get their body's HTML."""
    user = request.user
    signed_in = user.is_authenticated
    # A visitor's piece links back to this address to sign in; a member's does not.
    address = None if signed_in else request.path
    keys, missing = {}, []
    for review in reviews:
        if version is None:
            missing.append(review)
            continue
        key = (
            product.pk,
            version,
            review.pk,
            review.updated,
            review.helpful_count,
            signed_in,
            signed_in and review.author_id == user.pk,  # own review: no helpful form
            review.found_helpful,
            address,
            *_place(),
        )
        keys[review.pk] = key
        html = REVIEWS.get(key)
        if html is None:
            missing.append(review)
        else:
            review.fragment = html
    if missing:
        queries.with_html((missing, "body"))
    for review in missing:
        review.fragment = _render(REVIEW_TEMPLATE, request, review=review)
        if review.pk in keys:
            REVIEWS.set(keys[review.pk], review.fragment)


def render_idea_rows(request, ideas, *, version) -> None:
    """Give each idea of the board its row's HTML as ``idea.fragment`` (``voted`` set on each
    for this member)."""
    user = request.user
    # The vote form sends the member back to this very address.
    address = request.get_full_path()
    for idea in ideas:
        key = (
            (version, idea.pk, user.is_authenticated, idea.voted, address, *_place())
            if version
            else None
        )
        html = IDEA_ROWS.get(key) if key else None
        if html is None:
            html = _render(IDEA_ROW_TEMPLATE, request, idea=idea)
            if key:
                IDEA_ROWS.set(key, html)
        idea.fragment = html
