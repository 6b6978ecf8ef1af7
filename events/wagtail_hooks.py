"""Plug the events admin (viewsets.py) into Wagtail: the "Events" menu, the per-event pages,
the buttons on event pages in the page explorer, and how its history entries read."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from . import queries
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
