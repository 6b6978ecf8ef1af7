"""Read paths for the feedback pages, each a fixed number of queries whatever the data size."""

from datetime import timedelta

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.functional import cached_property

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
