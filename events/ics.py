"""iCalendar output: one event's .ics and a member's personal feed, with stable UIDs."""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import EventPage, event_uid

PRODID = "-//Advocate Hub//Events//EN"
# Calendar reminders (VALARM) on every event that takes place: a day before and an hour before.
ALARMS = (datetime.timedelta(days=1), datetime.timedelta(hours=1))


def _absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def vevent(event: EventPage, *, show_link: bool = False, waiting: bool = False) -> icalendar.Event:
    """The event as calendars see it; SEQUENCE grows with each published change, so clients
    replace their copy, and a cancelled event stays in the feed as STATUS:CANCELLED."""
    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("sequence", event.sequence)
    item.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title)
    url = _absolute(event.url or "")
    description = event.summary
    if show_link and event.online_url:
        description = f"{description}\n\n{event.online_url}"
    item.add("description", description)
    item.add("url", url)
    location = event.location_text
    if event.is_online and show_link and event.online_url:
        location = event.online_url
    item.add("location", location)
    # In a member's feed, an event they are only waitlisted for is tentative.
    status = "CANCELLED" if event.cancelled else ("TENTATIVE" if waiting else "CONFIRMED")
    item.add("status", status)
    if event.last_published_at:
        item.add("last-modified", event.last_published_at.astimezone(datetime.UTC))
    if not event.cancelled:
        for before in ALARMS:
            item.add_component(_alarm(event, before))
    return item


def _alarm(event: EventPage, before: datetime.timedelta) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", event.title)
    return alarm


def event_calendar(event: EventPage, *, show_link: bool = False) -> bytes:
    cal = _calendar(event.title)
    cal.add_component(vevent(event, show_link=show_link))
    _add_timezones(cal)
    return cal.to_ical()


def feed_calendar(name: str, rsvps) -> bytes:
    cal = _calendar(name)
    for rsvp in rsvps:
        cal.add_component(
            vevent(rsvp.event, show_link=rsvp.is_confirmed, waiting=rsvp.is_waitlisted)
        )
    _add_timezones(cal)
    return cal.to_ical()


def _add_timezones(cal: icalendar.Calendar) -> None:
    """VTIMEZONE components for the zones used, so clients without the zone database agree."""
    cal.add_missing_timezones()
