"""The events app's part of the REST API: /api/v1/events/ and each event's RSVPs.

Registered with hub.api from EventsConfig.ready(), so hub.api itself never imports this app.
Everything here needs the ``events:read`` scope.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action

from hub.api.base import ReadOnlyApiViewSet

from .models import RSVP, EventPage


class EventSerializer(serializers.ModelSerializer):
    seats_taken = serializers.IntegerField(help_text="Confirmed attendees plus their guests.")
    waitlisted = serializers.IntegerField(help_text="Members on the waitlist.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = EventPage
        fields = [
            "id", "title", "kind", "summary", "starts_at", "ends_at", "time_zone", "format",
            "venue_name", "venue_address", "capacity", "seats_taken", "waitlisted",
            "cancelled", "url",
        ]  # fmt: skip

    def get_url(self, event) -> str:
        return event.get_full_url(self.context.get("request")) or ""


class AttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="public_name")


class RSVPSerializer(serializers.ModelSerializer):
    member = AttendeeSerializer(source="user")

    class Meta:
        model = RSVP
        fields = [
            "id", "member", "status", "guests", "created", "confirmed_at", "cancelled_at",
            "checked_in_at",
        ]  # fmt: skip


def _count_of(rsvps, expression):
    return Coalesce(
        Subquery(
            rsvps.order_by().values("event").annotate(n=expression).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _datetime_param(request, name: str):
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise exceptions.ValidationError(
            {name: [_("Give a date and time in ISO 8601, e.g. 2026-05-01T09:00:00Z.")]}
        )
    return value


@extend_schema(
    parameters=[
        OpenApiParameter(
            "starts_after", str, description="Only events starting at or after this (ISO 8601)."
        ),
        OpenApiParameter(
            "starts_before", str, description="Only events starting before this (ISO 8601)."
        ),
    ]
)
class EventViewSet(ReadOnlyApiViewSet):
    """Published events, soonest first."""

    serializer_class = EventSerializer
    scope = "events:read"
    cursor_ordering = ("starts_at", "id")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EventPage.objects.none()  # the schema needs the model, not .public()'s query
        confirmed = RSVP.objects.filter(event=OuterRef("pk"), status=RSVP.CONFIRMED)
        waiting = RSVP.objects.filter(event=OuterRef("pk"), status=RSVP.WAITLISTED)
        events = (
            EventPage.objects.live()
            .public()
            .defer_streamfields()
            .annotate(
                seats_taken=_count_of(confirmed, Count("pk") + Sum("guests")),
                waitlisted=_count_of(waiting, Count("pk")),
            )
        )
        if self.action == "list":
            after = _datetime_param(self.request, "starts_after")
            before = _datetime_param(self.request, "starts_before")
            if after:
                events = events.filter(starts_at__gte=after)
            if before:
                events = events.filter(starts_at__lt=before)
        return events

    @extend_schema(summary="List events")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read an event")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="An event's RSVPs",
        parameters=[
            OpenApiParameter("status", str, enum=[RSVP.CONFIRMED, RSVP.WAITLISTED, RSVP.CANCELLED])
        ],
        responses=RSVPSerializer(many=True),
    )
    @action(detail=True, methods=["get"], cursor_ordering="id")
    def rsvps(self, request, pk=None):
        event = self.get_object()
        rsvps = RSVP.objects.filter(event=event).select_related("user")
        status = request.query_params.get("status", "")
        if status:
            if status not in dict(RSVP.STATUS_CHOICES):
                raise exceptions.ValidationError(
                    {"status": [_("Choose confirmed, waitlisted or cancelled.")]}
                )
            rsvps = rsvps.filter(Q(status=status))
        page = self.paginate_queryset(rsvps)
        return self.get_paginated_response(RSVPSerializer(page, many=True).data)
