"""HTTP for events: RSVP actions, calendars, tickets and the door check-in (the listing and the
month calendar are the event index page's own routes). Views parse, call one service or query,
and render."""

import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.errors import Refusal
from hub.redirects import redirect_back

from . import ics, queries, services
from .forms import CheckInSearchForm, RSVPForm
from .models import RSVP, CalendarFeed, EventPage


def _event(pk: int) -> EventPage:
    event = EventPage.objects.live().public().filter(pk=pk).select_related("min_tier").first()
    if event is None:
        raise Http404
    return event


def _back(event: EventPage) -> str:
    return (event.url or "/") + "#rsvp"


@login_required
@require_http_methods(["GET", "POST"])
def rsvp(request, pk: int):
    """POST RSVPs. GET is where a visitor who chose to RSVP lands after signing in: the form
    (guests, questions) one click from done, or the event if they already have a place."""
    event = _event(pk)
    if request.method == "GET":
        if (
            RSVP.objects.filter(event=event, user=request.user)
            .exclude(status=RSVP.CANCELLED)
            .exists()
        ):
            return redirect(_back(event))
        return render(
            request,
            "events/rsvp_confirm.html",
            {
                "event": event,
                "state": queries.state_for(event, request.user),
                "rsvp_form": RSVPForm(event=event, questions=event.questions.all()),
            },
        )
    form = RSVPForm(request.POST, event=event, questions=event.questions.all())
    if not form.is_valid():
        context = event.get_context(request)
        context["rsvp_form"] = form
        return render(request, event.get_template(request), context, status=400)
    try:
        record = services.register_rsvp(
            event,
            by=request.user,
            guests=form.guest_count(),
            answers=form.answers(),
            listed=form.wants_listing(),
        )
    except Refusal as refused:
        messages.error(request, refused.message)
        return redirect(_back(event))
    if record.is_confirmed:
        messages.success(request, _("You are going. We saved your seat."))
    else:
        messages.info(
            request,
            _(
                "The event is full, so you are on the waitlist. We will tell you as soon as a seat is yours."
            ),
        )
    return redirect(_back(event))


@login_required
@require_POST
def cancel(request, pk: int):
    event = _event(pk)
    try:
        record = services.cancel_rsvp(event, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
        return redirect(_back(event))
    messages.success(
        request,
        _("You left the waitlist.")
        if record.confirmed_at is None
        else _("Your RSVP is cancelled."),
    )
    return redirect_back(request, fallback=_back(event))


@login_required
@require_POST
def change_guests(request, pk: int):
    event = _event(pk)
    try:
        guests = int(request.POST.get("guests", ""))
        services.change_guests(event, by=request.user, guests=guests)
    except ValueError:
        messages.error(request, _("Choose how many guests are coming."))
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your RSVP is updated."))
    return redirect(_back(event))


@login_required
@require_POST
def set_listed(request, pk: int):
    event = _event(pk)
    listed = request.POST.get("listed") == "on"
    try:
        services.set_listed(event, by=request.user, listed=listed)
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("You are listed in “Who’s going”.")
            if listed
            else _("You are no longer listed in “Who’s going”."),
        )
    return redirect(_back(event))


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
def event_ics(request, pk: int):
    event = EventPage.objects.live().public().filter(pk=pk).first()
    if event is None:
        raise Http404
    show_link = (
        request.user.is_authenticated
        and RSVP.objects.filter(event=event, user=request.user, status=RSVP.CONFIRMED).exists()
    )
    return _ics_response(
        ics.event_calendar(event, show_link=show_link), f"{slugify(event.title) or 'event'}.ics"
    )


@require_GET
def personal_feed(request, token: str):
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=90)
    rsvps = (
        RSVP.objects.filter(user=feed.user, event__live=True, event__ends_at__gte=since)
        .exclude(status=RSVP.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at")
    )
    return _ics_response(ics.feed_calendar(_("My events"), rsvps), "my-events.ics")


@login_required
def my_events(request):
    upcoming, past = queries.rsvps_of(request.user)
    feed = services.calendar_feed(request.user)
    feed_url = request.build_absolute_uri(reverse("events:personal_feed", args=[feed.token]))
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": upcoming,
            "past": past,
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://"),
        },
    )


@login_required
@require_POST
def regenerate_feed(request):
    services.calendar_feed(request.user, regenerate=True)
    messages.success(
        request, _("Your calendar link has changed. The old one no longer works anywhere.")
    )
    return redirect("events:my_events")


@login_required
def ticket(request, pk: int):
    record = get_object_or_404(
        RSVP.objects.select_related("event", "user"), pk=pk, user=request.user
    )
    if record.status == RSVP.CANCELLED:
        raise Http404
    checkin_url = request.build_absolute_uri(
        reverse("events:check_in_code", args=[record.ticket_code])
    )
    buffer = io.BytesIO()
    segno.make(checkin_url, error="m").save(
        buffer, kind="svg", scale=6, border=2, xmldecl=False, omitsize=True, title=_("Ticket code")
    )
    return render(
        request,
        "events/ticket.html",
        {"rsvp": record, "event": record.event, "qr_svg": buffer.getvalue().decode()},
    )


def _check_in_event(request, pk: int) -> EventPage:
    event = EventPage.objects.filter(pk=pk).first()
    if event is None:
        raise Http404
    if not queries.can_check_in(request.user, event):
        raise PermissionDenied
    return event


@login_required
def check_in_list(request, pk: int):
    event = _check_in_event(request, pk)
    form = CheckInSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page_obj = Paginator(queries.attendees(event, q=q), 50).get_page(request.GET.get("page"))
    arrived = RSVP.objects.filter(
        event=event, status=RSVP.CONFIRMED, checked_in_at__isnull=False
    ).count()
    going = RSVP.objects.filter(event=event, status=RSVP.CONFIRMED).count()
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "form": form,
            "attendees": page_obj,
            "page_obj": page_obj,
            "q": q,
            "extra_query": queries.index_query(q=q),
            "arrived": arrived,
            "going": going,
        },
    )


@login_required
@require_POST
def check_in_rsvp(request, pk: int, rsvp_pk: int):
    event = _check_in_event(request, pk)
    record = get_object_or_404(RSVP.objects.select_related("user"), pk=rsvp_pk, event=event)
    try:
        record, changed = services.check_in(record, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        if changed:
            messages.success(
                request, _("%(member)s is checked in.") % {"member": record.user.public_name}
            )
        else:
            messages.info(
                request,
                _("%(member)s was already checked in.") % {"member": record.user.public_name},
            )
    back = reverse("events:check_in", args=[event.pk])
    q = request.POST.get("q", "").strip()[:100]
    return redirect(f"{back}?{queries.index_query(q=q)}" if q else back)


@login_required
def check_in_code(request, code: str):
    """Where a ticket's QR code leads: the host's phone opens it and confirms the arrival."""
    record = RSVP.objects.filter(ticket_code=code).select_related("event", "user").first()
    if record is None:
        raise Http404
    event = record.event
    if not queries.can_check_in(request.user, event):
        if record.user_id == request.user.pk:
            return redirect("events:ticket", pk=record.pk)
        raise PermissionDenied
    if request.method == "POST":
        try:
            record, changed = services.check_in(record, by=request.user)
        except Refusal as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                (
                    _("%(member)s is checked in.")
                    if changed
                    else _("%(member)s was already checked in.")
                )
                % {"member": record.user.public_name},
            )
        return redirect("events:check_in", pk=event.pk)
    return render(request, "events/check_in_code.html", {"rsvp": record, "event": event})


@require_GET
def attended(request, pk: int):
    """Whether the signed-in member attended event ``pk``: the lookup other apps may call."""
    return JsonResponse(
        {"event": pk, "attended": queries.attended(request.user, pk)},
        headers={"Cache-Control": "private, no-store"},
    )
