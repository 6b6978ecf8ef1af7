"""Factories for event tests: an event index under the test site, and events under it."""

import datetime

from django.utils import timezone

from events.models import EventHost, EventIndexPage, EventPage, EventQuestion


def build_event_index(home) -> EventIndexPage:
    index = EventIndexPage(title="Events", slug="events")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_event(
    index,
    *,
    title="Trail day",
    starts_in=datetime.timedelta(days=7),
    duration=datetime.timedelta(hours=2),
    capacity=20,
    publish=True,
    hosts=(),
    questions=(),
    tags=(),
    **fields,
) -> EventPage:
    start = fields.pop("starts_at", None) or timezone.now() + starts_in
    start = start.replace(second=0, microsecond=0)
    fields.setdefault("venue_name", "Trailmark Studio")
    event = EventPage(
        title=title,
        slug=fields.pop("slug", None) or title.lower().replace(" ", "-"),
        summary=fields.pop("summary", f"All about {title}."),
        starts_at=start,
        ends_at=fields.pop("ends_at", None) or start + duration,
        capacity=capacity,
        time_zone=fields.pop("time_zone", "Europe/London"),
        **fields,
    )
    for user in hosts:
        event.hosts.add(EventHost(user=user, role=EventHost.HOST))
    for label, required in questions:
        event.questions.add(EventQuestion(label=label, required=required))
    if tags:
        event.tags.add(*tags)
    index.add_child(instance=event)
    if publish:
        event.save_revision().publish()
        event.refresh_from_db()
    return event
