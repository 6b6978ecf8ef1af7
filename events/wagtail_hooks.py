"""Plug the events admin (viewsets.py) into Wagtail: the "Events" menu, the per-event pages,
the buttons on event pages in the page explorer, and how its history entries read."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.log_actions import LogFormatter

from . import queries, services
from .models import EventPage
from .viewsets import EventsGroup, admin_urls


@hooks.register("register_admin_viewset")
def register_events_group():
    return EventsGroup()


@hooks.register("register_admin_urls")
def register_event_admin_urls():
    return admin_urls()


def _event_buttons(page, user):
    if not isinstance(page.specific_deferred, EventPage):
        return
    if user.has_perm("events.view_rsvp"):
        yield PageMenuItem(
            _("Attendees"),
            reverse("events_attendees", args=[page.pk]),
            icon_name="group",
            priority=25,
            page=page,
        )
    if queries.can_check_in(user, page):
        yield PageMenuItem(
            _("Check-in"),
            reverse("events:check_in", args=[page.pk]),
            icon_name="tick",
            priority=26,
            page=page,
        )
    if page.get_parent().permissions_for_user(user).can_add_subpage():
        yield PageMenuItem(
            _("Repeat as a series"),
            reverse("events_series", args=[page.pk]),
            icon_name="repeat",
            priority=27,
            page=page,
        )


@hooks.register("register_page_listing_more_buttons")
def event_listing_buttons(page, user, next_url=None):
    yield from _event_buttons(page, user)


@hooks.register("register_page_header_buttons")
def event_header_buttons(page, user, view_name, next_url=None):
    yield from _event_buttons(page, user)


@hooks.register("register_log_actions")
def register_events_log_actions(actions):
    @actions.register_action(services.RSVP_REMOVED)
    class Removed(LogFormatter):
        label = gettext_lazy("Remove from the event")

        def format_message(self, log_entry):
            return _("%(member)s removed from %(event)s") % log_entry.data

    @actions.register_action(services.RSVP_PROMOTED)
    class Promoted(LogFormatter):
        label = gettext_lazy("Move up from the waitlist")

        def format_message(self, log_entry):
            return _("%(member)s moved up from the waitlist of %(event)s") % log_entry.data

    @actions.register_action(services.RSVP_CHECKED_IN)
    class CheckedIn(LogFormatter):
        label = gettext_lazy("Check in")

        def format_message(self, log_entry):
            return _("%(member)s checked in at %(event)s") % log_entry.data

    @actions.register_action(services.EVENT_MESSAGED)
    class Messaged(LogFormatter):
        label = gettext_lazy("Message attendees")

        def format_message(self, log_entry):
            count = log_entry.data.get("recipients", 0)
            return ngettext(
                "Message sent to %(count)d person: %(text)s",
                "Message sent to %(count)d people: %(text)s",
                count,
            ) % {"count": count, "text": log_entry.data.get("text", "")}

    @actions.register_action(services.SERIES_CREATED)
    class SeriesCreated(LogFormatter):
        label = gettext_lazy("Repeat as a series")

        def format_message(self, log_entry):
            count = log_entry.data.get("count", 0)
            return ngettext("%(count)d session created", "%(count)d sessions created", count) % {
                "count": count
            }
