"""Read paths for the feedback pages, each a fixed number of queries whatever the data size."""

import copy
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import cached_property

from hub import fragments
from hub.markup import plain_text
from hub.mentions import render_all

from .models import (
    HelpfulVote,
    Idea,
    IdeaCategory,
    IdeaComment,
    IdeaReport,
    IdeaVote,
    Product,
    Review,
    ReviewPhoto,
    ReviewReport,
    Survey,
    SurveyResponse,
    Testimonial,
)

REVIEWS_PER_PAGE = 10
IDEAS_PER_PAGE = 20
PRODUCTS_PER_PAGE = 24
ROADMAP_PER_COLUMN = 20
JSONLD_REVIEWS = 5

REVIEW_SORTS = {
    "newest": ["-created", "-pk"],
    "helpful": ["-helpful_count", "-created"],
    "highest": ["-rating", "-created"],
    "lowest": ["rating", "-created"],
}
IDEA_SORTS = {
    "trending": ["-trending", "-pk"],
    "top": ["-vote_count", "-pk"],
    "new": ["-created", "-pk"],
}
ACTIVE_STATUSES = [Idea.OPEN, Idea.UNDER_REVIEW, Idea.PLANNED, Idea.IN_PROGRESS]


class KnownCountPaginator(Paginator):
    """A paginator told its count (from a stored aggregate), so it never runs COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def with_html(*groups: tuple[list, str]) -> None:
    """Give each item of every ``(items, field)`` group ``html``: its member text rendered,
    @mentions linked, the members of the whole page looked up in one query (hub.mentions)."""
    pairs = [(item, field) for items, field in groups for item in items]
    texts = [getattr(item, field) for item, field in pairs]
    for (item, _field), html in zip(pairs, render_all(texts, cached=True), strict=True):
        item.html = html


# --- Products and reviews ----------------------------------------------------------------------
def product_list(category: str = ""):
    products = Product.objects.filter(live=True).select_related("image")
    if category:
        products = products.filter(category=category)
    return products.order_by("name", "pk")


def product_categories() -> list[str]:
    return list(
        Product.objects.filter(live=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def product_by_slug(slug: str) -> Product:
    return Product.objects.select_related("image").get(slug=slug, live=True)


def product_reviews(
    product: Product,
    *,
    sort: str = "newest",
    stars: int | None = None,
    viewer=None,
    with_photos: bool = False,
):
    """Published reviews of ``product`` with their authors and photos; whether ``viewer`` found
    each helpful is annotated, so the page asks nothing per review."""
    reviews = (
        Review.objects.filter(product=product, status=Review.PUBLISHED)
        .select_related("author", "testimonial")
        .prefetch_related(Prefetch("photos", queryset=ReviewPhoto.objects.order_by("pk")))
        .order_by(*REVIEW_SORTS.get(sort, REVIEW_SORTS["newest"]))
    )
    if stars:
        reviews = reviews.filter(rating=stars)
    if with_photos:
        reviews = reviews.filter(Exists(ReviewPhoto.objects.filter(review=OuterRef("pk"))))
    if viewer is not None and viewer.is_authenticated:
        reviews = reviews.annotate(
            found_helpful=Exists(HelpfulVote.objects.filter(review=OuterRef("pk"), user=viewer))
        )
    else:
        reviews = reviews.annotate(found_helpful=Value(False))
    return reviews


def review_page(
    product: Product, *, sort: str, stars: int | None, viewer, page, with_photos: bool = False
):
    reviews = product_reviews(
        product, sort=sort, stars=stars, viewer=viewer, with_photos=with_photos
    )
    if with_photos:  # no counter for this filter: one COUNT over the product's reviews
        return Paginator(reviews, REVIEWS_PER_PAGE).get_page(page)
    count = getattr(product, f"stars_{stars}") if stars else product.review_count
    return KnownCountPaginator(reviews, REVIEWS_PER_PAGE, count=count).get_page(page)


GALLERY_SIZE = 8


def review_gallery(product: Product) -> list[ReviewPhoto]:
    """The newest photos of the product's published reviews (one query), for the gallery."""
    return list(
        ReviewPhoto.objects.filter(review__product=product, review__status=Review.PUBLISHED)
        .select_related("review")
        .only("image", "width", "height", "review_id", "review__title")
        .order_by("-pk")[:GALLERY_SIZE]
    )


def review_of(product: Product, user) -> Review | None:
    if not user.is_authenticated:
        return None
    return Review.objects.filter(product=product, author=user).prefetch_related("photos").first()


def json_ld_reviews(product: Product) -> list[Review]:
    """The most helpful few published reviews, for the page's structured data."""
    return list(
        Review.objects.filter(product=product, status=Review.PUBLISHED)
        .select_related("author")
        .order_by("-helpful_count", "-created")[:JSONLD_REVIEWS]
    )


def product_json_ld(product: Product, request, reviews: list[Review]) -> dict:
    """schema.org Product with its AggregateRating and a few Reviews (json_script escapes it)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": request.build_absolute_uri(product.get_absolute_url()),
    }
    if product.description:
        data["description"] = plain_text(product.description, limit=500)
    if product.sku:
        data["sku"] = product.sku
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if product.category:
        data["category"] = product.category
    if product.image_id:
        rendition = product.image.get_rendition("fill-800x800")
        data["image"] = request.build_absolute_uri(rendition.url)
    if product.review_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": product.average_rating,
            "reviewCount": product.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
        data["review"] = [
            {
                "@type": "Review",
                "name": review.title,
                "reviewBody": plain_text(review.body, limit=1000),
                "datePublished": review.created.date().isoformat(),
                "author": {"@type": "Person", "name": review.author.public_name},
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": review.rating,
                    "bestRating": 5,
                    "worstRating": 1,
                },
            }
            for review in reviews
        ]
    return data


# --- Testimonials ------------------------------------------------------------------------------
def featured_testimonials(limit: int = 3) -> list[Testimonial]:
    return list(
        Testimonial.objects.filter(featured=True)
        .select_related("product", "member")
        .order_by("sort_order", "-created")[:limit]
    )


def testimonial_wall():
    return (
        Testimonial.objects.filter(featured=True)
        .select_related("product", "member")
        .order_by("sort_order", "-created")
    )


# --- Ideas -------------------------------------------------------------------------------------
def idea_list(*, sort: str = "trending", status: str = "", category: str = "", viewer=None):
    ideas = Idea.objects.filter(hidden=False).select_related("author", "category")
    if status == "all":
        ideas = ideas.exclude(status=Idea.MERGED)
    elif status in dict(Idea.STATUS_CHOICES) and status != Idea.MERGED:
        ideas = ideas.filter(status=status)
    else:
        ideas = ideas.filter(status__in=ACTIVE_STATUSES)
    if category:
        ideas = ideas.filter(category__slug=category)
    ideas = ideas.order_by(*IDEA_SORTS.get(sort, IDEA_SORTS["trending"]))
    return _with_my_vote(ideas, viewer)


def _with_my_vote(ideas, viewer):
    if viewer is not None and viewer.is_authenticated:
        return ideas.annotate(
            voted=Exists(IdeaVote.objects.filter(idea=OuterRef("pk"), user=viewer))
        )
    return ideas.annotate(voted=Value(False))


def idea_categories():
    return list(IdeaCategory.objects.order_by("name"))


def idea_detail(pk: int, viewer) -> Idea:
    ideas = Idea.objects.filter(pk=pk).select_related("author", "category", "merged_into")
    return _with_my_vote(ideas, viewer).get()


def idea_comments(idea: Idea):
    return IdeaComment.objects.filter(idea=idea, hidden=False).select_related("author")


def idea_history(idea: Idea):
    return idea.status_changes.exclude(note="").order_by("-created")[:10]


def roadmap(viewer=None) -> list[dict]:
    """The public roadmap: a column per status with its most-voted ideas and how many it holds."""
    totals = dict(
        Idea.objects.filter(hidden=False, status__in=Idea.ROADMAP)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Idea.STATUS_CHOICES)
    columns = []
    for status in Idea.ROADMAP:
        ideas = _with_my_vote(
            Idea.objects.filter(hidden=False, status=status)
            .select_related("category")
            .order_by("-vote_count", "-pk"),
            viewer,
        )[:ROADMAP_PER_COLUMN]
        columns.append(
            {
                "status": status,
                "label": labels[status],
                "ideas": list(ideas),
                "total": totals.get(status, 0),
            }
        )
    return columns


# --- Surveys -----------------------------------------------------------------------------------
def open_surveys(now=None):
    now = now or timezone.now()
    return Survey.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")


def unanswered_survey(user) -> Survey | None:
    if not user.is_authenticated:
        return None
    return (
        open_surveys()
        .exclude(Exists(SurveyResponse.objects.filter(survey=OuterRef("pk"), user=user)))
        .first()
    )


def _nps_counts(responses) -> dict:
    counts = responses.aggregate(
        promoters=Count("pk", filter=Q(score__gte=9)),
        passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    return nps_figures(counts["promoters"], counts["passives"], counts["detractors"])


def nps_figures(promoters: int, passives: int, detractors: int) -> dict:
    total = promoters + passives + detractors
    share = (lambda n: round(100 * n / total, 1)) if total else (lambda n: 0)
    return {
        "responses": total,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "promoters_percent": share(promoters),
        "passives_percent": share(passives),
        "detractors_percent": share(detractors),
        "nps": round(100 * (promoters - detractors) / total) if total else None,
    }


def nps_trend(responses) -> list[dict]:
    """NPS month by month, oldest first, in one grouped query."""
    rows = (
        responses.annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(
            promoters=Count("pk", filter=Q(score__gte=9)),
            passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
        .order_by("month")
    )
    trend = []
    for row in rows:
        figures = nps_figures(row["promoters"], row["passives"], row["detractors"])
        figures["month"] = row["month"].strftime("%Y-%m")
        trend.append(figures)
    return trend


def survey_results(survey: Survey) -> dict:
    responses = SurveyResponse.objects.filter(survey=survey)
    return {
        "totals": _nps_counts(responses),
        "trend": nps_trend(responses),
        "distribution": dict(
            responses.values_list("score").annotate(n=Count("pk")).values_list("score", "n")
        ),
    }


def survey_comments(survey: Survey, group: str = ""):
    comments = (
        SurveyResponse.objects.filter(survey=survey)
        .exclude(comment="")
        .select_related("user")
        .order_by("-created")
    )
    if group == "promoter":
        comments = comments.filter(score__gte=9)
    elif group == "passive":
        comments = comments.filter(score__gte=7, score__lte=8)
    elif group == "detractor":
        comments = comments.filter(score__lte=6)
    return comments


DASHBOARD_CACHE_KEY = "feedback:nps-dashboard"
DASHBOARD_MONTHS = 12
DASHBOARD_SECONDS = 300


def nps_dashboard() -> dict:
    """The admin home's NPS panel: the last 12 months across every survey (cached 5 minutes;
    two grouped queries when computed)."""
    cached = cache.get(DASHBOARD_CACHE_KEY)
    if cached is not None:
        return cached
    since = (timezone.now() - timedelta(days=31 * DASHBOARD_MONTHS)).replace(day=1)
    responses = SurveyResponse.objects.filter(created__gte=since)
    trend = nps_trend(responses)
    peak = max((abs(row["nps"] or 0) for row in trend), default=0) or 1
    for row in trend:
        row["bar"] = round(50 * abs(row["nps"] or 0) / peak)  # half the width each side of 0
    data = {
        "trend": trend,
        "latest": trend[-1] if trend else None,
        "totals": _nps_counts(responses),
        "open_surveys": open_surveys().count(),
    }
    cache.set(DASHBOARD_CACHE_KEY, data, DASHBOARD_SECONDS)
    return data


# --- Members' pages, read once per change -------------------------------------------------------
# Listings and objects as they were read, shared between requests (and members) while the
# page-cache version of the tag their services touch (services._page_tags: ``products``,
# ``product:<pk>``, ``ideas``) stays the same, and never longer than FRAGMENT_SECONDS (what no
# tag names: an edit in the admin, a renamed member, a new survey). Nothing kept here is a
# member's own: their votes, helpful marks, own review and answered surveys are read per request
# (member_state). Each request gets its own shallow copies to decorate.
KEPT_PRODUCT_PAGES = fragments.FragmentCache(kept=256)
KEPT_PRODUCT_IDS = fragments.FragmentCache(kept=1024)
KEPT_PRODUCTS = fragments.FragmentCache(kept=1024)
KEPT_REVIEW_PAGES = fragments.FragmentCache(kept=1024)
KEPT_PRODUCT_EXTRAS = fragments.FragmentCache(kept=1024)
KEPT_IDEA_PAGES = fragments.FragmentCache(kept=512)
KEPT_SURVEYS = fragments.FragmentCache(kept=4)


def _kept(store: fragments.FragmentCache, key, version, read):
    """What ``read()`` returns, read once per ``version`` (None: read afresh, keep nothing)."""
    return store.get_or_read(key, read, keep=bool(version))


def _page_copy(page, rows=None):
    """A request's own copy of a kept page, with copies of its rows when they get decorated."""
    mine = copy.copy(page)
    mine.object_list = [copy.copy(row) for row in page.object_list] if rows else page.object_list
    return mine


def _frozen(page):
    """``page`` with its rows read, as a tuple no request changes."""
    page.object_list = tuple(page.object_list)
    return page


def product_page(category: str, number) -> tuple:
    """(a page of live products, the product categories, the ``products`` version)."""
    version = fragments.version_of("products")
    page, categories = _kept(
        KEPT_PRODUCT_PAGES,
        (version, category, number),
        version,
        lambda: (
            _frozen(Paginator(product_list(category), PRODUCTS_PER_PAGE).get_page(number)),
            tuple(product_categories()),
        ),
    )
    return _page_copy(page), categories, version


def product_for_page(slug: str) -> tuple[Product, str | None]:
    """The live product at ``slug`` and its ``product:<pk>`` version, the product read once per
    version. Raises Product.DoesNotExist."""
    if not fragments.enabled():
        return product_by_slug(slug), None
    pk = KEPT_PRODUCT_IDS.get(slug)
    if pk is None:
        pk = Product.objects.filter(slug=slug, live=True).values_list("pk", flat=True).first()
        if pk is None:
            raise Product.DoesNotExist
        KEPT_PRODUCT_IDS.set(slug, pk)
    version = fragments.version_of(f"product:{pk}")
    product = _kept(
        KEPT_PRODUCTS,
        (pk, slug, version),
        version,
        lambda: Product.objects.select_related("image").get(pk=pk, slug=slug, live=True),
    )
    return copy.copy(product), version


def product_reviews_page(product: Product, version, *, sort: str, stars, page, with_photos: bool):
    """A page of the product's published reviews as every reader sees them (``found_helpful``
    False: member_state says which are the member's own marks)."""
    kept = _kept(
        KEPT_REVIEW_PAGES,
        (product.pk, version, sort, stars, with_photos, page),
        version,
        lambda: _frozen(
            review_page(
                product, sort=sort, stars=stars, viewer=None, page=page, with_photos=with_photos
            )
        ),
    )
    return _page_copy(kept, rows=True)


def product_extras(product: Product, version, request) -> tuple[list, dict]:
    """(the review gallery, the page's JSON-LD), read once per version and address."""
    return _kept(
        KEPT_PRODUCT_EXTRAS,
        (product.pk, version, request.scheme, request.get_host()),
        version,
        lambda: (
            review_gallery(product),
            product_json_ld(product, request, json_ld_reviews(product)),
        ),
    )


def idea_page(*, sort: str, status: str, category: str, number) -> tuple:
    """(a page of the board's ideas as every reader sees them, ``voted`` False; the idea
    categories; the ``ideas`` version)."""
    version = fragments.version_of("ideas")
    page, categories = _kept(
        KEPT_IDEA_PAGES,
        (version, sort, status, category, number),
        version,
        lambda: (
            _frozen(
                Paginator(
                    idea_list(sort=sort, status=status, category=category), IDEAS_PER_PAGE
                ).get_page(number)
            ),
            tuple(idea_categories()),
        ),
    )
    return _page_copy(page, rows=True), categories, version


def surveys_open_now() -> list[Survey]:
    """The open surveys, oldest closing first. The list is kept FRAGMENT_SECONDS (a survey an
    editor adds shows within that); one that closes meanwhile is left out at once."""
    now = timezone.now()
    kept = KEPT_SURVEYS.get("open") if fragments.enabled() else None
    if kept is None:
        # Also those about to open, so one opening while the list is kept shows on time.
        soon = now + timedelta(seconds=float(getattr(settings, "FRAGMENT_SECONDS", 10)))
        kept = tuple(
            Survey.objects.filter(opens_at__lte=soon, closes_at__gt=now).order_by("closes_at")
        )
        if fragments.enabled():
            KEPT_SURVEYS.set("open", kept)
    return [survey for survey in kept if survey.opens_at <= now < survey.closes_at]


@dataclass
class MemberState:
    """What a page shows as the member's own: read per request, never kept or shared."""

    survey: Survey | None = None  # the first open survey they have not answered
    voted: set = field(default_factory=set)  # idea pks
    helpful: set = field(default_factory=set)  # review pks
    review: Review | None = None  # their review of the product (pk, status, moderation_note)


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def member_state(user, *, surveys=(), ideas=(), reviews=(), product=None) -> MemberState:
    """The member's own state on a page in one statement (nothing for a visitor): which of
    ``surveys`` they answered, which of ``ideas`` they voted for, which of ``reviews`` they found
    helpful, and their own review of ``product``. Plain SQL: it runs on every feedback page a
    member opens, and compiling four ORM queries cost more than the database's work. Table names
    from the models, values bound as parameters."""
    state = MemberState()
    if not user.is_authenticated:
        return state
    parts, params = [], []
    for kind, model, column, pks in (
        ("s", SurveyResponse, "survey_id", [s.pk for s in surveys]),
        ("v", IdeaVote, "idea_id", [i.pk for i in ideas]),
        ("h", HelpfulVote, "review_id", [r.pk for r in reviews]),
    ):
        if pks:
            parts.append(
                f"SELECT '{kind}', {column}, NULL, NULL FROM {model._meta.db_table}"  # noqa: S608
                f" WHERE user_id = %s AND {column} IN ({_in(pks)})"
            )
            params += [user.pk, *pks]
    if product is not None:
        parts.append(
            f"SELECT 'r', id, status, moderation_note FROM {Review._meta.db_table}"  # noqa: S608
            " WHERE product_id = %s AND author_id = %s"
        )
        params += [product.pk, user.pk]
    if not parts:
        return state
    answered = set()
    with connections[router.db_for_read(Review)].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, status, note in cursor.fetchall():
            if kind == "s":
                answered.add(pk)
            elif kind == "v":
                state.voted.add(pk)
            elif kind == "h":
                state.helpful.add(pk)
            else:
                state.review = Review(
                    pk=pk, product=product, author=user, status=status, moderation_note=note or ""
                )
    state.survey = next((s for s in surveys if s.pk not in answered), None)
    return state


# --- Moderation sources ------------------------------------------------------------------------
def reported_reviews():
    return Review.objects.filter(report_count__gt=0).exclude(status=Review.HIDDEN)


def pending_reviews():
    return Review.objects.filter(status=Review.PENDING)


def reported_ideas():
    return Idea.objects.filter(report_count__gt=0, hidden=False)


def report_reasons(model, field: str, pks: list[int]) -> dict[int, list[str]]:
    """The open report reasons of each item, in one query."""
    reasons: dict[int, list[str]] = {}
    rows = model.objects.filter(**{f"{field}__in": pks, "resolved": False}).values_list(
        field, "reason"
    )
    for pk, reason in rows:
        reasons.setdefault(pk, []).append(reason)
    return reasons


def review_report_reasons(pks):
    return report_reasons(ReviewReport, "review_id", pks)


def idea_report_reasons(pks):
    return report_reasons(IdeaReport, "idea_id", pks)


# --- Site search ---------------------------------------------------------------------------------
def _search(queryset, words: str, partial: bool):
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    return backend.autocomplete(words, queryset) if partial else backend.search(words, queryset)


def search_products(words: str, viewer, partial: bool = False):
    return _search(Product.objects.filter(live=True), words, partial)


def product_hits(products, words: str) -> list:
    from hub.sitesearch import Hit

    return [
        Hit(kind="products", title=p.name, url=p.get_absolute_url(), text=p.description)
        for p in products
    ]


def search_reviews(words: str, viewer, partial: bool = False):
    return _search(Review.objects.filter(status=Review.PUBLISHED), words, partial)


def review_hits(reviews, words: str) -> list:
    """Published reviews titled by themselves and their product; a review of a product taken off
    the site since is None (one query)."""
    from hub.sitesearch import Hit

    products = Product.objects.filter(pk__in={r.product_id for r in reviews}, live=True).in_bulk()
    return [
        Hit(
            kind="reviews",
            title=review.title,
            url=f"{products[review.product_id].get_absolute_url()}#review-{review.pk}",
            text=review.body,
            when=review.created,
            meta=products[review.product_id].name,
        )
        if review.product_id in products
        else None
        for review in reviews
    ]


def search_ideas(words: str, viewer, partial: bool = False):
    return _search(Idea.objects.filter(hidden=False), words, partial)


def idea_hits(ideas, words: str) -> list:
    from hub.sitesearch import Hit

    return [
        Hit(
            kind="ideas",
            title=idea.title,
            url=idea.get_absolute_url(),
            text=idea.description,
            when=idea.created,
            meta=str(idea.get_status_display()),
        )
        for idea in ideas
    ]
