"""Products and their reviews, testimonials, the ideas board and NPS surveys.

Counts a page shows (a product's rating histogram, an idea's votes, a review's helpful votes) are
kept on the row they describe and changed with F() in the transaction that changes what they
count, so pages never aggregate 500,000 reviews to draw one product.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

STARS = range(1, 6)


class Product(index.Indexed, models.Model):
    PRE_MODERATION = "pre"
    POST_MODERATION = "post"
    MODERATION_CHOICES = [
        (POST_MODERATION, _("Post-moderation: reviews appear at once, reports are checked")),
        (PRE_MODERATION, _("Pre-moderation: a moderator approves each review first")),
    ]

    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    category = models.CharField(_("category"), max_length=80, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    moderation = models.CharField(
        _("review moderation"),
        max_length=4,
        choices=MODERATION_CHOICES,
        default=POST_MODERATION,
    )
    live = models.BooleanField(_("shown on the site"), default=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # Aggregates of the product's published reviews, kept by feedback.services.
    review_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    stars_1 = models.PositiveIntegerField(default=0, editable=False)
    stars_2 = models.PositiveIntegerField(default=0, editable=False)
    stars_3 = models.PositiveIntegerField(default=0, editable=False)
    stars_4 = models.PositiveIntegerField(default=0, editable=False)
    stars_5 = models.PositiveIntegerField(default=0, editable=False)

    # The site search ("Products"): name and description, shown products only.
    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["live", "name"], name="feedback_product_live_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("feedback:product", kwargs={"slug": self.slug})

    @property
    def average_rating(self) -> float | None:
        if not self.review_count:
            return None
        return round(self.rating_sum / self.review_count, 1)

    average_rating.fget.short_description = _("average rating")

    def histogram(self) -> list[dict]:
        """Five rows, 5 stars first: count and share of the published reviews."""
        rows = []
        for stars in reversed(STARS):
            count = getattr(self, f"stars_{stars}")
            share = round(100 * count / self.review_count) if self.review_count else 0
            rows.append({"stars": stars, "count": count, "percent": share})
        return rows


class Review(index.Indexed, models.Model):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    STATUS_CHOICES = [
        (PENDING, _("Waiting for approval")),
        (PUBLISHED, _("Published")),
        (REJECTED, _("Rejected")),
        (HIDDEN, _("Hidden by a moderator")),
    ]
    ORGANIC = "organic"
    INVITED = "invited"
    VERIFIED = "verified"
    COLLECTED_CHOICES = [
        (ORGANIC, _("Organic")),
        (INVITED, _("Invited")),
        (VERIFIED, _("Verified customer")),
    ]

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="product_reviews",
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("review"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, db_index=True)
    collected = models.CharField(
        _("how it was collected"), max_length=10, choices=COLLECTED_CHOICES, default=ORGANIC
    )
    verified = models.BooleanField(_("verified customer"), default=False)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    report_count = models.PositiveIntegerField(_("open reports"), default=0)
    reply = models.TextField(_("brand reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderation_note = models.CharField(_("moderation note"), max_length=255, blank=True)
    created = models.DateTimeField(_("written"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), default=timezone.now)

    # The site search ("Reviews"): title and text of published reviews.
    search_fields = [
        index.SearchField("title", boost=2),
        index.AutocompleteField("title"),
        index.SearchField("body"),
        index.FilterField("status"),
        index.FilterField("product_id"),
    ]

    class Meta:
        ordering = ["-created"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["product", "author"], name="feedback_one_review_each"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
                violation_error_message=_("Choose a rating from 1 to 5 stars."),
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-created"], name="feedback_rev_new"),
            models.Index(
                fields=["product", "status", "-helpful_count", "-created"], name="feedback_rev_help"
            ),
            models.Index(
                fields=["product", "status", "rating", "-created"], name="feedback_rev_rating"
            ),
            models.Index(fields=["status", "created"], name="feedback_rev_queue"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.product.get_absolute_url()}#review-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == self.PUBLISHED


def review_photo_path(instance, filename):
    return f"reviews/{instance.review_id}/{filename}"


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=review_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")

    def __str__(self):
        return f"photo {self.pk} of review {self.review_id}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="feedback_one_helpful_each")
        ]

    def __str__(self):
        return f"{self.user_id} found review {self.review_id} helpful"


class Report(models.Model):
    """A member telling moderators that something should not be here, and why (once each)."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255)
    resolved = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.reason


class ReviewReport(Report):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"], name="feedback_one_review_report_each"
            )
        ]


class VerifiedCustomer(models.Model):
    """An e-mail address the brand knows bought from it (imported from a CSV by editors)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product bought"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("verified customer")
        verbose_name_plural = _("verified customers")

    def __str__(self):
        return self.email


class VerifiedPurchase(models.Model):
    """A member bought this product: a paid shop order carried its SKU (hub.shop tells us through
    the order handler feedback registers). Their review of it shows "Verified customer", and
    they are invited to review it once, some days after the order."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="verified_purchases",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="purchases"
    )
    order_reference = models.CharField(_("order"), max_length=160, blank=True)
    bought_at = models.DateTimeField(_("bought"))
    invite_at = models.DateTimeField(_("invite to review on"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)

    class Meta:
        verbose_name = _("verified purchase")
        verbose_name_plural = _("verified purchases")
        ordering = ["-bought_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "product"], name="feedback_purchase_once")
        ]
        indexes = [
            models.Index(
                fields=["invite_at"],
                condition=Q(invited_at__isnull=True),
                name="feedback_purchase_to_invite",
            )
        ]

    def __str__(self):
        return f"{self.member} bought {self.product}"


class Testimonial(models.Model):
    """A customer's words the brand shows off: a promoted review, or a quote given with consent."""

    review = models.OneToOneField(
        Review,
        verbose_name=_("review"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="testimonial",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonials",
        help_text=_("The community member quoted, if they are one: they are told and earn points."),
    )
    quote = models.TextField(_("quote"))
    customer_name = models.CharField(_("customer name"), max_length=120)
    customer_title = models.CharField(
        _("customer title"),
        max_length=120,
        blank=True,
        help_text=_("For example “Thru-hiker, Lisbon”."),
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="testimonials",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    consent = models.BooleanField(
        _("the customer agreed to be quoted"),
        default=False,
        help_text=_("Required for a quote entered by hand; a review's author agreed when posting."),
    )
    consent_note = models.CharField(
        _("how consent was given"),
        max_length=255,
        blank=True,
        help_text=_("For example “E-mail of 3 March, kept in the CRM”."),
    )
    featured = models.BooleanField(_("featured on the home page"), default=True)
    # When it was first featured: the member is thanked (and earns points) once, not per save.
    featured_at = models.DateTimeField(_("first featured"), null=True, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sort_order", "-created"]
        verbose_name = _("testimonial")
        verbose_name_plural = _("testimonials")
        constraints = [
            models.CheckConstraint(
                condition=Q(review__isnull=False) | Q(consent=True),
                name="feedback_testimonial_needs_consent",
                violation_error_message=_("Record the customer's consent before quoting them."),
            )
        ]
        indexes = [models.Index(fields=["featured", "sort_order"], name="feedback_testim_featured")]

    def __str__(self):
        return f"{self.customer_name}: {self.quote[:60]}"

    def clean(self):
        if self.review_id is None and not self.consent:
            raise ValidationError(
                {"consent": _("Record the customer's consent before quoting them.")}
            )


class IdeaCategory(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("idea category")
        verbose_name_plural = _("idea categories")

    def __str__(self):
        return self.name


class Idea(index.Indexed, models.Model):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    MERGED = "merged"
    STATUS_CHOICES = [
        (OPEN, _("Open")),
        (UNDER_REVIEW, _("Under review")),
        (PLANNED, _("Planned")),
        (IN_PROGRESS, _("In progress")),
        (SHIPPED, _("Shipped")),
        (DECLINED, _("Declined")),
        (MERGED, _("Merged")),
    ]
    ROADMAP = [UNDER_REVIEW, PLANNED, IN_PROGRESS, SHIPPED]

    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        IdeaCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="ideas",
    )
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default=OPEN)
    status_note = models.TextField(_("public note"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    report_count = models.PositiveIntegerField(_("open reports"), default=0)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    # Votes weighed by age, refreshed on every vote (see services.trending_score).
    trending = models.FloatField(default=0, editable=False)
    created = models.DateTimeField(_("posted"), default=timezone.now)

    # The site search ("Ideas"): title and description of ideas a moderator has not hidden.
    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("description"),
        index.FilterField("hidden"),
    ]

    class Meta:
        ordering = ["-trending"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            models.Index(fields=["hidden", "status", "-trending"], name="feedback_idea_trend"),
            models.Index(fields=["hidden", "status", "-vote_count"], name="feedback_idea_top"),
            models.Index(fields=["hidden", "status", "-created"], name="feedback_idea_new"),
            models.Index(fields=["-trending"], name="feedback_idea_trend_all"),
            models.Index(fields=["-vote_count"], name="feedback_idea_top_all"),
            models.Index(fields=["-created"], name="feedback_idea_new_all"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("feedback:idea", kwargs={"pk": self.pk})


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="feedback_one_idea_vote_each")
        ]
        indexes = [models.Index(fields=["user", "idea"], name="feedback_vote_user")]

    def __str__(self):
        return f"{self.user_id} voted for idea {self.idea_id}"


class IdeaComment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_comments"
    )
    body = models.TextField(_("comment"))
    hidden = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["idea", "hidden", "created"], name="feedback_comment")]

    def __str__(self):
        return self.body[:60]


class IdeaStatusChange(models.Model):
    """The public history of an idea's status, each change with the note editors wrote."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=12, choices=Idea.STATUS_CHOICES)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.idea_id} → {self.status}"


class IdeaReport(Report):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reports")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "reporter"], name="feedback_one_idea_report_each"
            )
        ]


class Survey(models.Model):
    """An NPS survey open for a period: a 0–10 score and an optional comment, once per member."""

    title = models.CharField(_("title"), max_length=140)
    question = models.CharField(
        _("question"),
        max_length=255,
        default=_("How likely are you to recommend us to a friend or colleague?"),
    )
    comment_prompt = models.CharField(
        _("comment prompt"), max_length=255, default=_("What is the main reason for your score?")
    )
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"))
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("NPS survey")
        verbose_name_plural = _("NPS surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="feedback_survey_period",
                violation_error_message=_("The survey must close after it opens."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("feedback:survey", kwargs={"pk": self.pk})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="feedback_one_answer_each"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=10),
                name="feedback_score_0_to_10",
                violation_error_message=_("Choose a score from 0 to 10."),
            ),
        ]
        indexes = [models.Index(fields=["survey", "created"], name="feedback_resp_survey")]

    def __str__(self):
        return f"{self.user} → {self.score}"

    @property
    def group(self) -> str:
        if self.score >= 9:
            return "promoter"
        if self.score >= 7:
            return "passive"
        return "detractor"
