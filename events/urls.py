"""URLs of the events app, mounted at the site root by hub/urls.py (event pages themselves are
Wagtail pages under the event index)."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/<id:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<id:pk>/cancel/", views.cancel, name="cancel"),
    path("events/<id:pk>/guests/", views.change_guests, name="change_guests"),
    path("events/<id:pk>/listed/", views.set_listed, name="set_listed"),
    path("events/<id:pk>/event.ics", views.event_ics, name="event_ics"),
    path("events/<id:pk>/attended/", views.attended, name="attended"),
    path("events/<id:pk>/check-in/", views.check_in_list, name="check_in"),
    path("events/<id:pk>/check-in/<id:rsvp_pk>/", views.check_in_rsvp, name="check_in_rsvp"),
    path("events/check-in/<str:code>/", views.check_in_code, name="check_in_code"),
    path("events/tickets/<id:pk>/", views.ticket, name="ticket"),
    path("me/events/", views.my_events, name="my_events"),
    path("me/events/calendar/regenerate/", views.regenerate_feed, name="regenerate_feed"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_feed"),
]
