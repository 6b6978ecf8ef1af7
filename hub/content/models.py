"""Wagtail page types for brand content: the home page, the story index and stories."""

import functools

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from hub.content_languages import default_language_version, translations_panel

from .blocks import BodyBlock


class SeoMixin:
    """Open Graph data for base.html: pages override og_image / og_description where they can."""

    og_type = "website"

    @property
    def og_image(self):
        return None

    @property
    def og_description(self) -> str:
        return self.search_description


class OneTypeChildrenMixin:
    """For an index whose children are all of one type (``child_page_model``): a child's
    address is routed with one query for the child as that type, where Wagtail's ``Page.route``
    reads it as a plain page and then again as its own type. Sits after RoutablePageMixin, so
    the index's own sub-addresses (the feed, the calendar) still come first."""

    child_page_model: str = ""

    def route(self, request, path_components):
        if path_components and self.child_page_model:
            from django.apps import apps

            model = apps.get_model(self.child_page_model)
            try:
                child = model.objects.child_of(self).get(slug=path_components[0])
            except model.DoesNotExist:
                raise Http404 from None
            child._cached_parent_obj = self  # as Page.route does: no query for the parent
            return child.route(request, path_components[1:])
        return super().route(request, path_components)


class HomePage(SeoMixin, Page):
    hero_title = models.CharField(_("hero title"), max_length=120)
    hero_text = models.TextField(_("hero text"), max_length=400, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_cta_text = models.CharField(_("button text"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button links to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    featured_stories_title = models.CharField(
        _("latest stories heading"), max_length=80, default=_("Latest stories")
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_page"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("body"),
        FieldPanel("featured_stories_title"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("hero_title"),
        index.SearchField("hero_text"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    @property
    def og_image(self):
        return self.hero_image

    def route(self, request, path_components):
        """A page not (yet) translated into the reader's language is served in the default
        language: the translated home routes what its own tree lacks through the default
        language's tree (base.html then says so)."""
        try:
            return super().route(request, path_components)
        except Http404:
            source = default_language_version(self)
            if source is None or source.pk == self.pk:
                raise
            return source.specific.route(request, path_components)

    # The page cache (hub/pagecache.py): what the home page shows besides pages; the apps that
    # own those blocks touch these tags when they change.
    page_cache_tags = ("home", "forum", "events", "testimonials")

    @property
    def og_description(self) -> str:
        return self.search_description or self.hero_text

    def get_context(self, request, *args, **kwargs):
        from .queries import latest_stories

        context = super().get_context(request, *args, **kwargs)
        # Read when the template first shows it: not at all while a member's page reuses the
        # kept piece that lists them ({% keep %}).
        context["latest_stories"] = SimpleLazyObject(functools.partial(latest_stories, limit=3))
        return context


class StoryIndexPage(SeoMixin, RoutablePageMixin, OneTypeChildrenMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryPage"]
    child_page_model = "content.StoryPage"
    max_count = 1
    stories_per_page = 12
    page_cache_query = ("page", "tag")

    class Meta:
        verbose_name = _("story index")

    @path("")
    def index_view(self, request):
        from .queries import stories_for_index, tags_in_use

        tag = request.GET.get("tag", "").strip()[:100]
        stories = stories_for_index(self, tag=tag or None)
        page_obj = Paginator(stories, self.stories_per_page).get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "stories": page_obj,
                "paginator": page_obj.paginator,
                "current_tag": tag,
                "extra_query": urlencode({"tag": tag}) if tag else "",
                "tags": tags_in_use(),
            },
        )

    @path("feed/")
    def feed_view(self, request):
        from .feeds import StoryFeed
        from .queries import stories_for_index

        return StoryFeed(self, stories_for_index(self))(request)


class StoryPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.StoryPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class StoryPage(SeoMixin, Page):
    og_type = "article"

    date = models.DateField(_("publication date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField(
        _("introduction"),
        max_length=500,
        help_text=_("One or two sentences shown on cards, in feeds and search results."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"))
    tags = ClusterTaggableManager(through=StoryPageTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author"), FieldPanel("tags")],
            heading=_("Story information"),
        ),
        FieldPanel("cover_image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("date"),
    ]

    parent_page_types = ["content.StoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    @property
    def og_image(self):
        return self.cover_image

    @property
    def og_description(self) -> str:
        return self.search_description or self.intro

    def get_context(self, request, *args, **kwargs):
        from .queries import related_stories

        context = super().get_context(request, *args, **kwargs)
        context["related_stories"] = SimpleLazyObject(
            functools.partial(related_stories, self, limit=3)
        )
        return context


@register_setting(icon="site")
class BrandSettings(BaseSiteSetting):
    """What the header and footer say about the brand; editors change it under Settings."""

    brand_name = models.CharField(_("brand name"), max_length=60, default="Advocate Hub")
    tagline = models.CharField(_("tagline"), max_length=140, blank=True)
    footer_text = models.TextField(_("footer text"), max_length=400, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    panels = [
        FieldPanel("brand_name"),
        FieldPanel("tagline"),
        FieldPanel("footer_text"),
        FieldPanel("contact_email"),
        translations_panel("brand_name", "tagline", "footer_text"),
    ]

    class Meta:
        verbose_name = _("brand")
