"""Event pages, RSVPs and what was sent to whom: capacity and idempotency live in the database."""

import datetime
import secrets
import uuid
import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from hub import fragments, pagecache
from hub.content.blocks import BodyBlock
from hub.content.models import OneTypeChildrenMixin, SeoMixin
from hub.content_languages import default_language_version, translations_panel

from .forms import EventPageForm

TIME_ZONE_CHOICES = sorted((tz, tz.replace("_", " ")) for tz in zoneinfo.available_timezones())


def default_time_zone() -> str:
    return settings.TIME_ZONE


class EventIndexPage(SeoMixin, RoutablePageMixin, OneTypeChildrenMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["events.EventPage"]
    child_page_model = "events.EventPage"
    max_count = 1
    events_per_page = 12
    # The page cache (hub/pagecache.py): the listing shows seats left, touched by RSVPs.
    page_cache_tags = ("events",)
    page_cache_query = ("page", "when", "format", "tag", "month")

    class Meta:
        verbose_name = _("event index")

    @path("")
    def index_view(self, request):
        """Upcoming (or past) events, filtered by format, tag or month, a page at a time."""
        from . import queries

        when = "past" if request.GET.get("when") == "past" else "upcoming"
        fmt = _format_filter(request)
        tag = request.GET.get("tag", "").strip()[:100]
        month_value = request.GET.get("month", "").strip()[:7]
        month = queries.parse_month(month_value)

        def listing():
            events = queries.events_for_index(self, when=when, fmt=fmt, tag=tag, month=month)
            return Paginator(events, self.events_per_page).get_page(request.GET.get("page"))

        # Read when the template first shows them: not at all while a member's page reuses the
        # kept piece that lists them ({% keep %} in the template).
        page_obj = SimpleLazyObject(listing)
        return self.render(
            request,
            context_overrides={
                "events": page_obj,
                "page_obj": page_obj,
                "when": when,
                "current_format": fmt,
                "current_tag": tag,
                "current_month": month_value if month else "",
                "extra_query": queries.index_query(
                    when=when if when == "past" else "",
                    format=fmt,
                    tag=tag,
                    month=month_value if month else "",
                ),
                "tags": SimpleLazyObject(queries.tags_in_use),
                "now": timezone.now(),
            },
        )

    @path("calendar/")
    def calendar_view(self, request):
        """One month's events on a grid, in each event's own time zone."""
        from . import queries

        today = timezone.localdate()
        year, number = queries.parse_month(request.GET.get("month", "")) or (
            today.year,
            today.month,
        )
        fmt = _format_filter(request)
        events = queries.events_for_index(self, fmt=fmt, month=(year, number))
        first = datetime.date(year, number, 1)
        weeks = queries.month_grid(year, number, events)
        return self.render(
            request,
            template="events/event_calendar.html",
            context_overrides={
                "month_start": first,
                "weeks": weeks,
                # The same month as a list of the days that have events (phones show this).
                "agenda": [
                    day for week in weeks for day in week if day["in_month"] and day["events"]
                ],
                "previous_month": (first - datetime.timedelta(days=1)).strftime("%Y-%m"),
                "next_month": (first + datetime.timedelta(days=32)).strftime("%Y-%m"),
                "current_format": fmt,
                "today": today,
            },
        )


def _format_filter(request) -> str:
    fmt = request.GET.get("format", "")
    return fmt if fmt in (EventPage.ONLINE, EventPage.IN_PERSON) else ""


class EventPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "events.EventPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class EventPage(SeoMixin, Page):
    IN_PERSON = "in_person"
    ONLINE = "online"
    FORMAT_CHOICES = [(IN_PERSON, _("In person")), (ONLINE, _("Online"))]
    EVENT = "event"
    WORKSHOP = "workshop"
    KIND_CHOICES = [(EVENT, _("Event")), (WORKSHOP, _("Workshop"))]
    SKIP = "skip"
    STRICT = "strict"
    WAITLIST_POLICY_CHOICES = [
        (SKIP, _("Fill freed seats with the next people who fit (a larger group keeps its place)")),
        (STRICT, _("Strict order: nobody passes a group waiting for more seats")),
    ]

    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES, default=EVENT)
    summary = models.TextField(
        _("summary"),
        max_length=400,
        help_text=_("One or two sentences shown on cards and in calendars."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        help_text=_("The start and end are entered and shown in this time zone."),
    )
    format = models.CharField(_("format"), max_length=10, choices=FORMAT_CHOICES, default=IN_PERSON)
    venue_name = models.CharField(_("venue"), max_length=120, blank=True)
    venue_address = models.TextField(_("address"), max_length=400, blank=True)
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Shown only to confirmed attendees."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), default=50, help_text=_("Seats, counting guests.")
    )
    max_guests = models.PositiveSmallIntegerField(
        _("guests per member"), default=0, help_text=_("0: members come alone.")
    )
    waitlist_policy = models.CharField(
        _("when seats free up"), max_length=10, choices=WAITLIST_POLICY_CHOICES, default=SKIP
    )
    rsvp_opens_at = models.DateTimeField(_("RSVP opens"), null=True, blank=True)
    rsvp_closes_at = models.DateTimeField(
        _("RSVP closes"), null=True, blank=True, help_text=_("Empty: at the start.")
    )
    min_tier = models.ForeignKey(
        "rewards.Tier",
        verbose_name=_("minimum tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Only advocates of this tier or above may RSVP."),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = StreamField(BodyBlock(), blank=True, verbose_name=_("description"))
    feedback_url = models.URLField(
        _("feedback survey link"),
        blank=True,
        help_text=_("Attendees are asked for feedback through this link after the event."),
    )
    cancelled = models.BooleanField(
        _("cancelled"),
        default=False,
        help_text=_("Publishing with this ticked tells everyone who signed up."),
    )
    tags = ClusterTaggableManager(through=EventPageTag, blank=True, verbose_name=_("tags"))
    # What attendees were last told (calendar SEQUENCE and the schedule reminders follow);
    # The door list and ticket scans work only in this window around the event.
    check_in_opens_hours = models.PositiveSmallIntegerField(
        _("check-in opens (hours before the start)"),
        default=3,
        validators=[MaxValueValidator(24 * 14)],
    )
    check_in_closes_hours = models.PositiveSmallIntegerField(
        _("check-in closes (hours after the end)"),
        default=2,
        validators=[MaxValueValidator(24 * 14)],
    )
    # services.sync_published_event compares the published page with these.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    announced_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    announced_cancelled = models.BooleanField(default=False, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                # Choices in the form, not the field: the zone list varies with the tz database.
                FieldPanel("time_zone", widget=forms.Select(choices=TIME_ZONE_CHOICES)),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("format"),
                FieldPanel("venue_name"),
                FieldPanel("venue_address"),
                FieldPanel("online_url"),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("max_guests")]),
                FieldPanel("waitlist_policy"),
                FieldRowPanel([FieldPanel("rsvp_opens_at"), FieldPanel("rsvp_closes_at")]),
                FieldPanel("min_tier"),
                FieldRowPanel(
                    [FieldPanel("check_in_opens_hours"), FieldPanel("check_in_closes_hours")]
                ),
            ],
            heading=_("RSVP"),
        ),
        FieldPanel("image"),
        FieldPanel("description"),
        InlinePanel("hosts", label=_("Hosts and speakers")),
        InlinePanel("questions", label=_("Questions for attendees")),
        FieldPanel("tags"),
        FieldPanel("feedback_url"),
        FieldPanel("cancelled"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("venue_name"),
        index.FilterField("starts_at"),
    ]
    base_form_class = EventPageForm
    # A copy (Wagtail's "Copy", or a series) is a new event nobody has been told about yet.
    exclude_fields_in_copy = [
        "sequence", "announced_starts_at", "announced_ends_at", "announced_cancelled",
    ]  # fmt: skip
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    def check_in_window(self) -> tuple:
        """When hosts may check people in: from a few hours before the start to a few after the
        end (``check_in_opens_hours`` / ``check_in_closes_hours``, set per event)."""
        return (
            self.starts_at - datetime.timedelta(hours=self.check_in_opens_hours),
            self.ends_at + datetime.timedelta(hours=self.check_in_closes_hours),
        )

    def check_in_is_open(self, now=None) -> bool:
        opens, closes = self.check_in_window()
        return opens <= (now or timezone.now()) <= closes

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["starts_at"], name="events_starts_at")]

    def clean(self):
        super().clean()
        errors = {}
        if self.time_zone not in zoneinfo.available_timezones():
            errors["time_zone"] = _("Choose a time zone from the list.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if self.format == self.ONLINE and not self.online_url:
            errors["online_url"] = _("An online event needs the link attendees join with.")
        if self.format == self.IN_PERSON and not self.venue_name:
            errors["venue_name"] = _("An in-person event needs a venue.")
        if self.rsvp_opens_at and self.rsvp_closes_at and self.rsvp_closes_at <= self.rsvp_opens_at:
            errors["rsvp_closes_at"] = _("RSVPs must close after they open.")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = _("An event needs at least one seat.")
        if errors:
            raise ValidationError(errors)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def zone_label(self) -> str:
        """The zone's name and its offset at the event, e.g. "Asia/Tbilisi (GMT+04:00)"."""
        offset = self.local_start.strftime("%z")
        return f"{self.time_zone.replace('_', ' ')} (GMT{offset[:3]}:{offset[3:]})"

    @property
    def is_online(self) -> bool:
        return self.format == self.ONLINE

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def rsvp_closes(self) -> datetime.datetime:
        return self.rsvp_closes_at or self.starts_at

    @property
    def og_image(self):
        return self.image

    @property
    def og_description(self) -> str:
        return self.search_description or self.summary

    @property
    def location_text(self) -> str:
        if self.is_online:
            return str(_("Online"))
        return ", ".join(p for p in [self.venue_name, " ".join(self.venue_address.split())] if p)

    @property
    def map_url(self) -> str:
        """The venue on OpenStreetMap (no account, no tracking script); empty for online events."""
        if self.is_online or not self.venue_address:
            return ""
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.location_text})

    def get_context(self, request, *args, **kwargs):
        from .queries import event_page_context

        context = super().get_context(request, *args, **kwargs)
        # A translation is the same event told in another language: seats, RSVPs, questions and
        # check-in are the default-language page's.
        event = self.rsvp_event()
        version = None
        if fragments.enabled():
            version = pagecache.request_versions(request, [f"page:{event.pk}"])[f"page:{event.pk}"]
        context.update(event_page_context(event, request.user, version=version))
        context["rsvp_event"] = event
        return context

    def rsvp_event(self) -> "EventPage":
        """The page RSVPs belong to: the default-language event (this page when it is one)."""
        if "_rsvp_event" not in self.__dict__:
            source = default_language_version(self)
            self._rsvp_event = (
                source.specific if source is not None and source.pk != self.pk else self
            )
        return self._rsvp_event

    def page_cache_tags(self) -> tuple[str, ...]:
        """The page cache (hub/pagecache.py): a translation shows the seats of the default-language
        event, whose tag the RSVP services touch."""
        event = self.rsvp_event()
        return () if event.pk == self.pk else (f"page:{event.pk}",)


class EventHost(Orderable):
    HOST = "host"
    SPEAKER = "speaker"
    ROLE_CHOICES = [(HOST, _("Host")), (SPEAKER, _("Speaker"))]

    page = ParentalKey(EventPage, related_name="hosts", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_event_roles",
        help_text=_("Hosts who are members may check attendees in at the door."),
    )
    name = models.CharField(
        _("name"), max_length=120, blank=True, help_text=_("Empty: the member's name.")
    )
    role = models.CharField(_("role"), max_length=10, choices=ROLE_CHOICES, default=HOST)
    bio = models.TextField(_("about"), max_length=500, blank=True)

    panels = [FieldPanel("user"), FieldPanel("name"), FieldPanel("role"), FieldPanel("bio")]

    class Meta(Orderable.Meta):
        verbose_name = _("host or speaker")

    def clean(self):
        if not self.user_id and not self.name:
            raise ValidationError({"name": _("Give a name or choose a member.")})

    @property
    def display_name(self) -> str:
        return self.name or (self.user.public_name if self.user_id else "")


class EventQuestion(Orderable):
    page = ParentalKey(EventPage, related_name="questions", on_delete=models.CASCADE)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldPanel("required"),
        translations_panel("label", "help_text"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.label


def new_ticket_code() -> str:
    return secrets.token_urlsafe(16)


class RSVPQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=RSVP.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=RSVP.WAITLISTED).order_by("queued_at", "pk")

    def active(self):
        return self.filter(status__in=[RSVP.CONFIRMED, RSVP.WAITLISTED])


class RSVP(models.Model):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (CONFIRMED, _("Going")),
        (WAITLISTED, _("On the waitlist")),
        (CANCELLED, _("Cancelled")),
    ]

    event = models.ForeignKey(
        EventPage, verbose_name=_("event"), on_delete=models.CASCADE, related_name="rsvps"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="rsvps",
    )
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    # The member chose to appear in the event page's "Who's going" (off unless they tick it).
    listed = models.BooleanField(_("listed as going"), default=False)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created = models.DateTimeField(_("first RSVP"), default=timezone.now)
    # The waitlist is ordered by when each member joined it (arrival order), then by id.
    queued_at = models.DateTimeField(_("joined"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket_code = models.CharField(max_length=32, unique=True, default=new_ticket_code)

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_one_rsvp_per_member"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="events_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"], name="events_rsvp_queue"),
            models.Index(fields=["user", "status"], name="events_rsvp_member"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.event.title}"

    @property
    def seats(self) -> int:
        return 1 + self.guests

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.WAITLISTED


class Delivery(models.Model):
    """One message of a kind (a reminder slot, the feedback prompt) sent to one member for one
    schedule of an event: the unique constraint makes every sender idempotent."""

    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    FEEDBACK = "feedback"
    SLOT_CHOICES = [
        (REMINDER_24H, _("Reminder a day before")),
        (REMINDER_1H, _("Reminder an hour before")),
        (FEEDBACK, _("Feedback prompt")),
    ]

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slot = models.CharField(max_length=20, choices=SLOT_CHOICES)
    for_start = models.DateTimeField(help_text="The event start this message was about.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "slot", "for_start"], name="events_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.user_id} · {self.event_id}"


class CalendarFeed(models.Model):
    """The secret behind a member's personal "my events" calendar URL; regenerating revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_calendar"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return str(self.user)


def lock_event(event_id: int) -> EventPage:
    """The event, its row locked until the transaction ends: every change to its seats and every
    message sent about it takes this lock first, so they happen one at a time."""
    # of=("self",): lock only the events_eventpage row, not Wagtail's wagtailcore_page row.
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)


def event_uid(event: EventPage) -> str:
    """A calendar UID that survives edits, moves and renames of the page."""
    return f"{uuid.UUID(str(event.translation_key))}@events.advocate-hub"
