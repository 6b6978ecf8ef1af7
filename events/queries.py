"""Read paths for event pages, listings, tickets and the dashboard, with flat query counts."""

import calendar
import datetime
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from taggit.models import Tag
from wagtail.images import get_image_model

from hub import fragments
from hub.content_languages import children_in_active_language, in_active_language
from hub.i18n.formats import wall_clock
from hub.rewards.models import Balance

from .models import RSVP, EventHost, EventPage, EventPageTag

CACHE_TTL = 300
INDEX_URL_KEY = "events:index-url"


def event_index_url() -> str | None:
    """The published event index's URL, or None while there is none (the nav hides "Events")."""
    from .models import EventIndexPage

    url = cache.get(INDEX_URL_KEY)
    if url is None:
        index = EventIndexPage.objects.live().public().first()
        url = (index.get_url() if index else "") or ""
        cache.set(INDEX_URL_KEY, url, CACHE_TTL)
    return url or None


def clear_caches() -> None:
    cache.delete(INDEX_URL_KEY)


def when_text(event: EventPage) -> str:
    """The start as attendees read it in notifications: wall-clock time at the event, with zone."""
    return f"{wall_clock(event.local_start)} ({event.time_zone.replace('_', ' ')})"


def confirmed_seats(event_id: int) -> int:
    totals = RSVP.objects.filter(event_id=event_id, status=RSVP.CONFIRMED).aggregate(
        people=Count("pk"), guests=Sum("guests")
    )
    return (totals["people"] or 0) + (totals["guests"] or 0)


def lifetime_points(user) -> int:
    return Balance.objects.filter(user=user).values_list("lifetime", flat=True).first() or 0


def refusal(event: EventPage, user, *, now=None) -> str | None:
    """Why ``user`` may not RSVP to ``event`` right now, in words for them; None when they may."""
    now = now or timezone.now()
    if event.cancelled:
        return _("This event has been cancelled.")
    if not event.live:
        return _("This event is not published.")
    if event.starts_at <= now:
        return _("This event has already started, so RSVPs are closed.")
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        return _("RSVPs open on %(when)s.") % {
            "when": date_format(timezone.localtime(event.rsvp_opens_at, event.zone), "D j M Y, H:i")
        }
    if event.rsvp_closes_at and now >= event.rsvp_closes_at:
        return _("RSVPs for this event are closed.")
    if event.min_tier_id and user is not None and user.is_authenticated:
        tier = event.min_tier
        if lifetime_points(user) < tier.threshold:
            return _("This event is for %(tier)s advocates and above.") % {"tier": tier.name}
    return None


def _seats_taken():
    # By translation key: a translated event's RSVPs are its default-language page's.
    confirmed = RSVP.objects.filter(
        event__translation_key=OuterRef("translation_key"), status=RSVP.CONFIRMED
    )
    return Coalesce(
        Subquery(
            confirmed.values("event__translation_key")
            .annotate(s=Count("pk") + Sum("guests"))
            .values("s")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def event_cards(queryset):
    """Everything an event card shows (image renditions, tags, seats taken) in a fixed number of
    queries whatever the number of events."""
    images = get_image_model().objects.prefetch_renditions()
    return (
        queryset.live()
        .public()
        .defer_streamfields()
        .annotate(seats_taken=_seats_taken())
        .prefetch_related(Prefetch("image", queryset=images), "tags")
    )


def upcoming_events(limit: int = 3, *, now=None) -> list[EventPage]:
    now = now or timezone.now()
    return list(
        event_cards(
            in_active_language(EventPage.objects.filter(ends_at__gt=now, cancelled=False))
        ).order_by("starts_at", "pk")[:limit]
    )


def parse_month(value: str):
    try:
        year, month = (int(p) for p in value.split("-", 1))
        if 1 <= month <= 12 and 1900 < year < 3000:
            return year, month
    except (TypeError, ValueError):
        pass
    return None


def events_for_index(index, *, when="upcoming", fmt="", tag="", month=None, now=None):
    now = now or timezone.now()
    events = children_in_active_language(index, EventPage)
    if month:
        year, number = month
        start = datetime.datetime(year, number, 1, tzinfo=datetime.UTC)
        end_month = datetime.datetime(
            year + (number == 12), number % 12 + 1, 1, tzinfo=datetime.UTC
        )
        # A day's slack each side: an event is in the month of its own time zone's calendar.
        events = events.filter(
            starts_at__gte=start - datetime.timedelta(days=1),
            starts_at__lt=end_month + datetime.timedelta(days=1),
        )
    elif when == "past":
        events = events.filter(ends_at__lte=now)
    else:
        events = events.filter(ends_at__gt=now)
    if fmt in (EventPage.ONLINE, EventPage.IN_PERSON):
        events = events.filter(format=fmt)
    if tag:
        events = events.filter(tags__slug=tag)
    order = ("-starts_at", "-pk") if when == "past" and not month else ("starts_at", "pk")
    events = event_cards(events).order_by(*order)
    if month:
        year, number = month
        return [e for e in events if (e.local_start.year, e.local_start.month) == (year, number)]
    return events


def tags_in_use() -> list[Tag]:
    return list(
        Tag.objects.filter(
            pk__in=EventPageTag.objects.filter(content_object__live=True).values("tag_id")
        ).order_by("name")
    )


def index_query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def month_grid(year: int, month: int, events: list[EventPage]) -> list[list[dict]]:
    """Weeks (Monday first) of days, each with the events starting that day in their own zone."""
    by_day: dict[int, list[EventPage]] = {}
    for event in events:
        by_day.setdefault(event.local_start.day, []).append(event)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "events": by_day.get(day.day, []) if day.month == month else [],
                }
                for day in week
            ]
        )
    return weeks


def state_for(event: EventPage, user, *, now=None, shared=None) -> dict:
    """What the member sees in the RSVP box: their RSVP, place in line, and what they may do.
    ``shared`` (``shared_event_data``) holds the seats taken and the waitlist's length."""
    now = now or timezone.now()
    taken = shared["seats_taken"] if shared else getattr(event, "seats_taken", None)
    if taken is None:
        taken = confirmed_seats(event.pk)
    seats_left = max(0, event.capacity - taken)
    rsvp = None
    position = None
    if user.is_authenticated:
        rsvp = RSVP.objects.filter(event=event, user=user).exclude(status=RSVP.CANCELLED).first()
        if rsvp is not None and rsvp.is_waitlisted:
            position = (
                RSVP.objects.filter(event=event, status=RSVP.WAITLISTED)
                .filter(
                    Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk)
                )
                .count()
                + 1
            )
    if shared:
        waiting = shared["waiting"]
    else:
        waiting = RSVP.objects.filter(event=event, status=RSVP.WAITLISTED).count()
    return {
        "rsvp": rsvp,
        "position": position,
        "seats_left": seats_left,
        "seats_taken": taken,
        "waiting": waiting,
        "is_full": seats_left <= 0,
        "refusal": refusal(event, user if user.is_authenticated else None, now=now),
        "is_past": event.ends_at <= now,
    }


def calendar_links(event: EventPage, ics_url: str) -> dict:
    fmt = "%Y%m%dT%H%M%SZ"
    start = event.starts_at.astimezone(datetime.UTC)
    end = event.ends_at.astimezone(datetime.UTC)
    details = event.summary
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{start.strftime(fmt)}/{end.strftime(fmt)}",
            "details": details,
            "location": event.location_text,
            "ctz": event.time_zone,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": start.isoformat().replace("+00:00", "Z"),
            "enddt": end.isoformat().replace("+00:00", "Z"),
            "body": details,
            "location": event.location_text,
        }
    )
    return {"google": google, "outlook": outlook, "ics": ics_url}


def can_check_in(user, event: EventPage, *, hosts=None) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("events.change_rsvp"):
        return True
    if hosts is not None:
        return any(host.user_id == user.pk for host in hosts)
    return EventHost.objects.filter(page=event, user=user).exists()


WHOS_GOING_SHOWN = 12


def whos_going(event: EventPage, seats_taken: int, *, limit: int = WHOS_GOING_SHOWN) -> dict:
    """The going members who chose to be listed (the first ``limit``, by when they confirmed)
    and how many other people are coming: one query whatever the event's size."""
    shown = list(
        RSVP.objects.filter(event=event, status=RSVP.CONFIRMED, listed=True, user__is_active=True)
        .select_related("user")
        .order_by("confirmed_at", "pk")[:limit]
    )
    return {"members": [r.user for r in shown], "others": max(0, seats_taken - len(shown))}


# What an event page shows every reader alike, read once and reused by every member's page.
SHARED = fragments.FragmentCache(kept=512)


def _read_shared(event: EventPage) -> dict:
    taken = confirmed_seats(event.pk)
    return {
        "questions": list(event.questions.all()),
        "hosts": list(event.hosts.select_related("user")),
        "min_tier": event.min_tier if event.min_tier_id else None,
        "seats_taken": taken,
        "waiting": RSVP.objects.filter(event=event, status=RSVP.WAITLISTED).count(),
        "whos_going": whos_going(event, taken),
    }


def shared_event_data(event: EventPage, version) -> dict:
    """The event's questions, hosts, minimum tier, seats taken, waitlist length and who's going:
    nothing of any one member. Kept (hub.fragments) under ``version``, the page-cache version of
    ``page:<event pk>`` (every RSVP service and every publish changes it); read afresh when
    ``version`` is None (nothing kept)."""
    return SHARED.get_or_read(
        (event.pk, version), lambda: _read_shared(event), keep=version is not None
    )


def event_page_context(event: EventPage, user, *, version=None) -> dict:
    """The event page's context for ``user``: the shared part (``shared_event_data``, kept under
    ``version``) and theirs (their RSVP and place in line, whether they may RSVP or check in)."""
    from django.urls import reverse

    from .forms import RSVPForm

    shared = shared_event_data(event, version)
    if shared["min_tier"] is not None:
        event.min_tier = shared["min_tier"]
    state = state_for(event, user, shared=shared)
    ics_url = reverse("events:event_ics", args=[event.pk])
    return {
        "hosts": shared["hosts"],
        "state": state,
        "rsvp_form": RSVPForm(event=event, questions=shared["questions"]),
        "calendar_links": calendar_links(event, ics_url),
        "can_check_in": can_check_in(user, event, hosts=shared["hosts"]),
        "can_see_link": bool(state["rsvp"] and state["rsvp"].is_confirmed),
        # The RSVP box of a member with no RSVP reads the same for all such members: kept
        # under this (None: theirs alone, with their ticket and forms).
        "shared_box": None if state["rsvp"] else "no-rsvp",
        "guest_choices": range(event.max_guests + 1),
        "whos_going": shared["whos_going"],
    }


def rsvps_of(user, *, now=None):
    """The member's RSVPs, soonest first, upcoming then past."""
    now = now or timezone.now()
    rows = list(
        RSVP.objects.filter(user=user)
        .exclude(status=RSVP.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at")
    )
    upcoming = [r for r in rows if r.event.ends_at > now]
    past = [r for r in reversed(rows) if r.event.ends_at <= now]
    return upcoming, past


def attended(user, event_id: int) -> bool:
    """Whether ``user`` was checked in at the event: what "attended" means everywhere."""
    if not getattr(user, "is_authenticated", False):
        return False
    return RSVP.objects.filter(
        user=user, event_id=event_id, status=RSVP.CONFIRMED, checked_in_at__isnull=False
    ).exists()


def attended_count(user) -> int:
    return RSVP.objects.filter(
        user=user, status=RSVP.CONFIRMED, checked_in_at__isnull=False
    ).count()


def attendees(event: EventPage, *, q: str = ""):
    rows = RSVP.objects.filter(event=event, status=RSVP.CONFIRMED).select_related("user")
    if q:
        rows = rows.filter(
            Q(user__display_name__icontains=q)
            | Q(user__username__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            # The door list shows hosts names and tickets: an e-mail address finds no one.
            | Q(ticket_code__iexact=q.strip())
        )
    return rows.order_by(F("checked_in_at").asc(nulls_first=True), "user__username")


def upcoming_fill_rates(limit: int = 8) -> dict:
    """The dashboard panel: the next events and how full they are (three queries)."""
    events = upcoming_events(limit)
    waiting = dict(
        RSVP.objects.filter(event__in=events, status=RSVP.WAITLISTED)
        .values("event")
        .annotate(n=Count("pk"))
        .values_list("event", "n")
    )
    return {
        "events": [
            {
                "title": e.title,
                "url": e.url or "",
                "starts": e.local_start.isoformat(),
                "capacity": e.capacity,
                "taken": e.seats_taken,
                "fill": round(100 * e.seats_taken / e.capacity) if e.capacity else 0,
                "waiting": waiting.get(e.pk, 0),
            }
            for e in events
        ]
    }


# --- Site search ---------------------------------------------------------------------------------
def search_events(words: str, viewer, partial: bool = False):
    """Published, public events matching ``words`` (the site search's "Events")."""
    events = EventPage.objects.live().public()
    return events.autocomplete(words) if partial else events.search(words)


def event_hits(events, words: str) -> list:
    from hub.sitesearch import Hit

    return [
        Hit(
            kind="events",
            title=event.title,
            url=event.url,
            text=event.summary,
            when=event.starts_at,
            meta=when_text(event),
        )
        for event in events
    ]
