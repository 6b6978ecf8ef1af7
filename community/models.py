"""Forum data: categories, topics, posts (with revisions), reactions, read state, subscriptions,
flags and suspensions, and the editable posting limits.

Counters a listing shows (topic and post counts, latest activity) are kept on the rows by the
services with F() updates, so no page ever counts a million posts to show a number.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.search import index

from hub.content_languages import translations_panel

User = settings.AUTH_USER_MODEL


class Category(models.Model):
    EVERYONE, TIER, STAFF = "everyone", "tier", "staff"
    STARTERS = [
        (EVERYONE, _("Every member")),
        (TIER, _("Members from a minimum tier")),
        (STAFF, _("Staff only (announcements)")),
    ]
    DISCUSSION, QA = "discussion", "qa"
    KINDS = [(DISCUSSION, _("Discussion")), (QA, _("Questions and answers"))]

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=500, blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#4338ca", help_text=_("A hex colour, e.g. #4338ca.")
    )
    order = models.PositiveIntegerField(_("order"), default=0, help_text=_("Lower comes first."))
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS, default=DISCUSSION)
    who_may_start = models.CharField(
        _("who may start topics"), max_length=10, choices=STARTERS, default=EVERYONE
    )
    min_tier = models.ForeignKey(
        "rewards.Tier",
        verbose_name=_("minimum tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Used when only members from a minimum tier may start topics."),
    )
    topic_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_topic = models.ForeignKey(
        "Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("colour"),
        FieldPanel("order"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("who_may_start"), FieldPanel("min_tier")], heading=_("Starting topics")
        ),
        translations_panel("name", "description"),
    ]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:category", kwargs={"slug": self.slug})

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.slug:
            self.slug = slugify(self.name)[:80]
        if self.who_may_start == self.TIER and not self.min_tier_id:
            raise ValidationError({"min_tier": _("Choose the tier members need to start topics.")})

    @property
    def is_qa(self) -> bool:
        return self.kind == self.QA


class Topic(index.Indexed, models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(max_length=80, allow_unicode=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    last_poster = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Numbers of the posts: the first post is 1; pages are number ranges, never big OFFSETs.
    last_number = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.FilterField("hidden"),
        index.FilterField("category_id"),
    ]

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(
                fields=["category", "-pinned", "-last_post_at"], name="community_topic_listing"
            ),
            models.Index(fields=["-last_post_at"], name="community_topic_latest"),
            models.Index(fields=["created"], name="community_topic_created"),
        ]
        permissions = [("moderate_topic", _("Can lock, pin, move and merge topics"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:topic", kwargs={"pk": self.pk, "slug": self.slug or "-"})

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None


class Post(index.Indexed, models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("message"), max_length=20_000)
    html = models.TextField(editable=False)
    image = models.ImageField(_("image"), upload_to="community/%Y/%m/", blank=True)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=255, blank=True)
    reaction_count = models.PositiveIntegerField(default=0)

    search_fields = [
        index.SearchField("body"),
        index.FilterField("hidden"),
        index.FilterField("deleted_at"),
        index.FilterField("topic_id"),
    ]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="community_post_number")
        ]
        indexes = [models.Index(fields=["author", "created"], name="community_post_author")]

    def __str__(self) -> str:
        return f"{self.topic} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("community:post", kwargs={"pk": self.pk})

    @property
    def is_first(self) -> bool:
        return self.number == 1

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None


class PostRevision(models.Model):
    """What a post said before an edit: moderators read the history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("post revision")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.post} @ {self.created:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    LIKE = "like"
    EMOJI = {
        "like": "👍",
        "heart": "❤️",
        "laugh": "😄",
        "tada": "🎉",
        "thinking": "🤔",
        "eyes": "👀",
    }
    CHOICES = [
        ("like", _("Like")),
        ("heart", _("Love")),
        ("laugh", _("Funny")),
        ("tada", _("Celebrate")),
        ("thinking", _("Thinking")),
        ("eyes", _("Looking into it")),
    ]

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    comment = models.ForeignKey(
        "django_comments_xtd.XtdComment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=CHOICES, default=LIKE)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"],
                condition=Q(post__isnull=False),
                name="community_reaction_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "kind"],
                condition=Q(comment__isnull=False),
                name="community_reaction_once_per_comment",
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="community_reaction_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.user_id}"

    @property
    def symbol(self) -> str:
        return self.EMOJI.get(self.kind, "")


class ReadState(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="community_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id} to #{self.last_read_number}"


class Subscription(models.Model):
    WATCH, FOLLOW, MUTE = "watch", "follow", "mute"
    LEVELS = [
        (WATCH, _("Watching")),
        (FOLLOW, _("Following")),
        (MUTE, _("Muted")),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    level = models.CharField(max_length=8, choices=LEVELS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=Q(topic__isnull=False),
                name="community_subscription_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="community_subscription_category",
            ),
            models.CheckConstraint(
                condition=Q(topic__isnull=False, category__isnull=True)
                | Q(topic__isnull=True, category__isnull=False),
                name="community_subscription_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.level} {self.topic_id or self.category_id}"


class Flag(models.Model):
    SPAM, RUDE, OFF_TOPIC, OTHER = "spam", "rude", "off_topic", "other"
    REASONS = [
        (SPAM, _("Spam or advertising")),
        (RUDE, _("Rude or abusive")),
        (OFF_TOPIC, _("Off topic")),
        (OTHER, _("Something else")),
    ]
    OPEN, ACTIONED, DISMISSED = "open", "actioned", "dismissed"
    STATES = [(OPEN, _("Waiting")), (ACTIONED, _("Acted on")), (DISMISSED, _("Dismissed"))]

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        "django_comments_xtd.XtdComment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    flagged_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=REASONS)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=OPEN)
    created = models.DateTimeField(_("flagged"), default=timezone.now)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "flagged_by"],
                condition=Q(state="open", post__isnull=False),
                name="community_flag_open_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "flagged_by"],
                condition=Q(state="open", comment__isnull=False),
                name="community_flag_open_once_per_comment",
            ),
        ]
        indexes = [models.Index(fields=["state", "created"], name="community_flag_queue")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.post_id:
            return str(self.post)
        return _("Comment #%(id)s") % {"id": self.comment_id}


class Suspension(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    until = models.DateTimeField(_("read-only until"))
    reason = models.CharField(
        _("reason"), max_length=500, help_text=_("The member sees this reason.")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspended members")
        indexes = [models.Index(fields=["user", "until"], name="community_suspension_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.until:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None and self.until > timezone.now()


@register_setting(icon="group")
class CommunitySettings(BaseSiteSetting):
    """Posting limits editors tune under Settings → Community limits."""

    posts_per_hour = models.PositiveIntegerField(_("posts per hour"), default=20)
    posts_per_day = models.PositiveIntegerField(_("posts per day"), default=100)
    new_member_posts = models.PositiveIntegerField(
        _("posts a member counts as new"),
        default=3,
        help_text=_("During their first posts, members cannot add links or images."),
    )
    new_member_posts_per_hour = models.PositiveIntegerField(
        _("posts per hour for new members"), default=5
    )
    new_member_posts_per_day = models.PositiveIntegerField(
        _("posts per day for new members"), default=10
    )

    panels = [
        FieldPanel("posts_per_hour"),
        FieldPanel("posts_per_day"),
        MultiFieldPanel(
            [
                FieldPanel("new_member_posts"),
                FieldPanel("new_member_posts_per_hour"),
                FieldPanel("new_member_posts_per_day"),
            ],
            heading=_("New members"),
        ),
    ]

    class Meta:
        verbose_name = _("community limits")
