"""Events and workshops: event pages, RSVPs, waitlists, reminders, calendars and check-in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from hub.api.registry import register_resource
        from hub.api.scopes import register_scope
        from hub.dashboard import register_dashboard_panel
        from hub.navigation import register_nav_item
        from hub.notifications.kinds import EMAIL, INAPP, register_kind
        from hub.rewards.actions import register_action
        from hub.sitesearch import register_source
        from hub.webhooks.types import register_event_type

        from . import services, tasks
        from .models import EventIndexPage, EventPage
        from .queries import event_hits, event_index_url, search_events, upcoming_fill_rates

        register_action(services.ATTENDED_ACTION, _("Attended an event"), default_points=20)
        register_action(tasks.HOSTED_ACTION, _("Hosted a workshop"), default_points=50)
        register_kind(services.KIND_PROMOTED, _("A seat freed up for you"), default_channel=EMAIL)
        register_kind(
            tasks.KIND_REMINDER, _("Reminders before events you go to"), default_channel=EMAIL
        )
        register_kind(
            services.KIND_RESCHEDULED, _("An event you signed up for moved"), default_channel=EMAIL
        )
        register_kind(
            services.KIND_CANCELLED,
            _("An event you signed up for was cancelled"),
            default_channel=EMAIL,
        )
        register_kind(
            services.KIND_REMOVED, _("The organisers removed your RSVP"), default_channel=EMAIL
        )
        register_kind(
            services.KIND_MESSAGE, _("Messages from event organisers"), default_channel=EMAIL
        )
        register_kind(
            tasks.KIND_FEEDBACK, _("Feedback requests after events"), default_channel=INAPP
        )
        register_nav_item("events", _("Events"), event_index_url, order=30)
        register_source("events", _("Events"), results=search_events, hits=event_hits, order=20)
        register_event_type("rsvp.confirmed", _("An RSVP was confirmed (a seat taken)"))
        register_event_type("rsvp.cancelled", _("An RSVP was cancelled or removed"))
        register_event_type("event.checked_in", _("An attendee was checked in at an event"))
        register_scope("events:read", _("List events and their RSVPs"))
        from .api import EventViewSet

        register_resource("events", EventViewSet, basename="event")
        register_dashboard_panel(
            "events.upcoming",
            _("Upcoming events"),
            template="events/admin/dashboard_panel.html",
            context=upcoming_fill_rates,
            permission="events.view_rsvp",
            order=50,
        )
        # Publishing happens in Wagtail (the editor's button, or a scheduled publish), so this
        # is the one place the app can learn that attendees need telling about a change.
        page_published.connect(_event_published, sender=EventPage, dispatch_uid="events.published")
        # The cached index URL (header nav, home page) follows the index being (un)published.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(_index_changed, sender=EventIndexPage, dispatch_uid="events.index")
        post_delete.connect(_index_changed, sender=EventIndexPage, dispatch_uid="events.index")


def _event_published(sender, instance, **kwargs):
    from .services import sync_published_event

    sync_published_event(instance)


def _index_changed(sender, **kwargs):
    from .queries import clear_caches

    clear_caches()
