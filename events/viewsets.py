"""The editors' side of events: one "Events" menu (event pages, RSVPs, check-in) and, per event,
the attendee list with CSV export, waitlist management, a message to everyone and a series."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from hub.adminkit import NoAddView, NoDeleteView, ReadOnlyListingMixin
from hub.errors import Refusal
from hub.spreadsheets import csv_writer

from . import services
from .forms import MessageAttendeesForm, SeriesForm
from .models import RSVP, EventPage


class EventPageFilterSet(PageFilterSet):
    format = django_filters.ChoiceFilter(
        label=gettext_lazy("Format"), choices=EventPage.FORMAT_CHOICES
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=EventPage.KIND_CHOICES)
    starts_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Starts"), widget=DateRangePickerWidget
    )
    cancelled = django_filters.BooleanFilter(label=gettext_lazy("Cancelled"))

    class Meta:
        model = EventPage
        fields = []


class EventPageListingViewSet(PageListingViewSet):
    model = EventPage
    icon = "date"
    menu_label = gettext_lazy("Events")
    name = "event-pages"
    filterset_class = EventPageFilterSet
    columns = [
        *[c for c in PageIndexView.base_columns if c.name != "latest_revision_created_at"],
        DateColumn("starts_at", label=gettext_lazy("Starts"), sort_key="starts_at"),
        Column("capacity", label=gettext_lazy("Capacity"), sort_key="capacity"),
    ]
    list_export = [
        "title", "kind", "format", "starts_at", "ends_at", "time_zone", "venue_name",
        "capacity", "cancelled", "live", "full_url",
    ]  # fmt: skip
    export_filename = "events"


class RSVPIndexView(ReadOnlyListingMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("event", "user")

    def get_edit_url(self, instance):
        return reverse("events_attendees", args=[instance.event_id])


class RSVPEditRedirect(generic.EditView):
    """RSVPs change only through the services (capacity, promotion, notifications): "edit" is
    the event's attendee list, where editors move people up or remove them."""

    def dispatch(self, request, *args, **kwargs):
        rsvp = get_object_or_404(RSVP, pk=kwargs["pk"])
        return redirect("events_attendees", pk=rsvp.event_id)


class RSVPViewSet(ModelViewSet):
    model = RSVP
    icon = "user"
    menu_label = gettext_lazy("RSVPs")
    index_view_class = RSVPIndexView
    # Members RSVP on the event page; editors manage a list per event, where removing someone
    # is "Remove".
    add_view_class = NoAddView
    edit_view_class = RSVPEditRedirect
    delete_view_class = NoDeleteView
    list_display = ["user", "event", "status", "guests", "listed", "queued_at", "checked_in_at"]
    list_filter = ["status", "event", "listed", "checked_in_at", "queued_at"]
    search_fields = ["user__username", "user__display_name", "user__email", "event__title"]
    list_export = [
        "event", "user", "status", "guests", "listed", "answers", "created", "queued_at",
        "confirmed_at", "cancelled_at", "checked_in_at",
    ]  # fmt: skip
    export_filename = "rsvps"
    form_fields = ["guests"]
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_admin_menu = False


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def check_in_index(request):
    """Today's and upcoming events, each linking to its phone-friendly door page."""
    _require(request, "events.change_rsvp")
    now = timezone.now()
    events = list(
        EventPage.objects.filter(ends_at__gt=now - timezone.timedelta(hours=12), cancelled=False)
        .order_by("starts_at")
        .defer_streamfields()[:30]
    )
    return TemplateResponse(
        request, "events/admin/check_in_index.html", {"events": events, "header_icon": "tick"}
    )


class CheckInViewSet(ViewSet):
    icon = "tick"
    menu_label = gettext_lazy("Check-in")
    name = "event-check-in"

    def get_urlpatterns(self):
        return [path("", check_in_index, name="index")]


class EventsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Events")
    menu_icon = "date"
    menu_order = 650
    items = (EventPageListingViewSet(), RSVPViewSet("rsvps"), CheckInViewSet())


def _event_or_404(pk: int) -> EventPage:
    return get_object_or_404(EventPage, pk=pk)


def attendees(request, pk: int):
    _require(request, "events.view_rsvp")
    event = _event_or_404(pk)
    if request.GET.get("format") == "csv":
        return _attendees_csv(event)
    going = list(
        RSVP.objects.filter(event=event, status=RSVP.CONFIRMED)
        .select_related("user")
        .order_by("confirmed_at", "pk")
    )
    waiting = list(RSVP.objects.waitlisted().filter(event=event).select_related("user"))
    return TemplateResponse(
        request,
        "events/admin/attendees.html",
        {
            "event": event,
            "going": going,
            "waiting": waiting,
            "seats_taken": sum(r.seats for r in going),
            "message_form": MessageAttendeesForm(),
            "can_change": request.user.has_perm("events.change_rsvp"),
            "header_icon": "group",
        },
    )


def _attendees_csv(event: EventPage) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.pk}.csv"'
    questions = [q.label for q in event.questions.all()]
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Name"),
            _("Username"),
            _("E-mail"),
            _("Status"),
            _("Guests"),
            _("Waitlist since"),
            _("Checked in"),
        ]
        + questions  # fmt: skip
    )
    rows = (
        RSVP.objects.active()
        .filter(event=event)
        .select_related("user")
        .order_by("status", "queued_at", "pk")
    )
    for rsvp in rows.iterator(chunk_size=1000):
        values = [
            rsvp.user.public_name, rsvp.user.username, rsvp.user.email,
            rsvp.get_status_display(), rsvp.guests,
            rsvp.queued_at.isoformat() if rsvp.is_waitlisted else "",
            rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else "",
        ] + [rsvp.answers.get(label, "") for label in questions]  # fmt: skip
        # A cell starting with = + - @ would run as a formula in a spreadsheet.
        writer.writerow(values)
    return response


def rsvp_action(request, pk: int, rsvp_pk: int, action: str):
    _require(request, "events.change_rsvp")
    if request.method != "POST":
        return redirect("events_attendees", pk=pk)
    rsvp = get_object_or_404(RSVP.objects.select_related("user"), pk=rsvp_pk, event_id=pk)
    try:
        if action == "promote":
            services.promote_rsvp(rsvp, by=request.user)
            messages.success(request, _("%(member)s is now going.") % {"member": rsvp.user})
        else:
            services.remove_rsvp(rsvp, by=request.user)
            messages.success(request, _("%(member)s was removed.") % {"member": rsvp.user})
    except Refusal as refused:
        messages.error(request, refused.message)
    return redirect("events_attendees", pk=pk)


def message(request, pk: int):
    _require(request, "events.change_rsvp")
    event = _event_or_404(pk)
    form = MessageAttendeesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.message_attendees(
            event,
            text=form.cleaned_data["text"],
            by=request.user,
            include_waitlist=form.cleaned_data["include_waitlist"],
        )
        messages.success(request, _("Message sent to %(count)d people.") % {"count": count})
        return redirect("events_attendees", pk=pk)
    return TemplateResponse(
        request,
        "events/admin/message.html",
        {"event": event, "form": form, "header_icon": "mail"},
        status=400 if request.method == "POST" else 200,
    )


def series(request, pk: int):
    event = _event_or_404(pk)
    parent = event.get_parent()
    if not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        publish = (
            form.cleaned_data["publish"]
            and parent.permissions_for_user(request.user).can_publish_subpage()
        )
        copies = services.generate_series(
            event,
            count=form.cleaned_data["count"],
            interval=form.cleaned_data["interval"],
            publish=publish,
            by=request.user,
        )
        messages.success(request, _("%(count)d sessions created.") % {"count": len(copies)})
        return redirect("wagtailadmin_explore", parent.pk)
    return TemplateResponse(
        request,
        "events/admin/series.html",
        {"event": event, "form": form, "header_icon": "repeat"},
        status=400 if request.method == "POST" else 200,
    )


def admin_urls():
    return [
        path("events/<id:pk>/attendees/", attendees, name="events_attendees"),
        path(
            "events/<id:pk>/attendees/<id:rsvp_pk>/promote/",
            rsvp_action,
            {"action": "promote"},
            name="events_promote",
        ),
        path(
            "events/<id:pk>/attendees/<id:rsvp_pk>/remove/",
            rsvp_action,
            {"action": "remove"},
            name="events_remove",
        ),
        path("events/<id:pk>/message/", message, name="events_message"),
        path("events/<id:pk>/series/", series, name="events_series"),
    ]
