"""Background jobs (django-tasks): reminders 24 h and 1 h before, the feedback prompt after.

django-tasks can defer a job (``run_after``) only on backends that support it
(``supports_defer``: the database backend does, the immediate one does not). So the deferred
jobs are an optimisation, not the guarantee: ``sweep_event_messages`` (run every few minutes by
``manage.py send_event_reminders`` from cron, or enqueued by the worker itself) finds whatever
is due. Both end in ``send_due_messages``, which records each message in ``Delivery`` and so
sends it once per member per slot however often it runs.

The services enqueue these jobs (after an event is published or moved); the jobs never call back
into the services.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from hub.notifications.services import notify
from hub.rewards.services import award

from .models import RSVP, Delivery, EventPage, lock_event
from .queries import when_text

logger = logging.getLogger(__name__)

HOSTED_ACTION = "events.workshop.hosted"
KIND_REMINDER = "events.event.reminder"
KIND_FEEDBACK = "events.event.feedback"

REMINDER_SLOTS = [(Delivery.REMINDER_24H, datetime.timedelta(hours=24)),
                  (Delivery.REMINDER_1H, datetime.timedelta(hours=1))]  # fmt: skip
FEEDBACK_WINDOW = datetime.timedelta(days=14)
SWEEP_LOOKAHEAD = datetime.timedelta(hours=25)


def _recipients(event: EventPage, slot: str, user_ids) -> list[int]:
    """Of ``user_ids``, those not yet sent ``slot`` for the current start; records them as sent."""
    done = set(
        Delivery.objects.filter(event=event, slot=slot, for_start=event.starts_at).values_list(
            "user_id", flat=True
        )
    )
    fresh = [uid for uid in dict.fromkeys(user_ids) if uid not in done]
    Delivery.objects.bulk_create(
        [Delivery(event=event, user_id=uid, slot=slot, for_start=event.starts_at) for uid in fresh],
        batch_size=1000,
    )
    return fresh


def send_due_messages(event_id: int, *, now=None) -> dict[str, int]:
    """Send whatever is due for one event at ``now``: the reminder slot that applies, then after
    the end the feedback prompt and the hosts' points. Safe to run any number of times and from
    any number of workers: the event lock and the Delivery rows let each message out once."""
    now = now or timezone.now()
    sent: dict[str, int] = {}
    with transaction.atomic():
        event = lock_event(event_id)
        if event.cancelled or not event.live:
            return sent
        if now < event.starts_at:
            # Only the most imminent slot that is due: a late worker sends the 1 h reminder,
            # never yesterday's 24 h one as well.
            due_slots = [(slot, event.starts_at - ahead) for slot, ahead in REMINDER_SLOTS
                         if event.starts_at - ahead <= now]  # fmt: skip
            if due_slots:
                slot, due = due_slots[-1]
                # Who RSVPed after the slot fell due (3 hours before: no 24 h reminder) skips it.
                going = RSVP.objects.filter(
                    event=event, status=RSVP.CONFIRMED, confirmed_at__lte=due
                ).values_list("user_id", flat=True)
                recipients = _recipients(event, slot, going)
                if recipients:
                    tomorrow = slot == Delivery.REMINDER_24H

                    def text():  # in each recipient's language, whichever process sends it
                        return (
                            _("Tomorrow: %(event)s starts %(when)s.")
                            if tomorrow
                            else _("Starting in an hour: %(event)s, %(when)s.")
                        ) % {"event": event.title, "when": when_text(event)}

                    notify(recipients, KIND_REMINDER, text=text, target=event, url=event.url or "")
                sent[slot] = len(recipients)
        elif event.ends_at <= now < event.ends_at + FEEDBACK_WINDOW:
            if event.feedback_url:
                attended = RSVP.objects.filter(
                    event=event, status=RSVP.CONFIRMED, checked_in_at__isnull=False
                )
                if not attended.exists():  # nobody was checked in: ask everyone who was going
                    attended = RSVP.objects.filter(event=event, status=RSVP.CONFIRMED)
                recipients = _recipients(
                    event, Delivery.FEEDBACK, attended.values_list("user_id", flat=True)
                )
                if recipients:
                    notify(
                        recipients,
                        KIND_FEEDBACK,
                        text=lambda: (
                            _("Thanks for coming to %(event)s! Tell us how it went.")
                            % {"event": event.title}
                        ),
                        target=event,
                        url=event.feedback_url,
                    )
                sent[Delivery.FEEDBACK] = len(recipients)
            if event.kind == EventPage.WORKSHOP:
                hosts = {h.user for h in event.hosts.select_related("user") if h.user_id}
                for host in hosts:
                    award(host, HOSTED_ACTION, source=event)
                sent["hosted"] = len(hosts)
    return sent


def message_times(starts_at, ends_at=None) -> list[datetime.datetime]:
    times = [starts_at - ahead for _slot, ahead in REMINDER_SLOTS]
    if ends_at is not None:
        times.append(ends_at)
    return times


def schedule_event_messages(event_id: int, starts_at) -> int:
    """Enqueue a job at each moment something falls due for the event (when the backend can
    defer); returns how many were enqueued. A job finding the event moved since does nothing."""
    if not default_task_backend.supports_defer:
        return 0
    event = EventPage.objects.filter(pk=event_id).only("ends_at").first()
    if event is None:
        return 0
    now = timezone.now()
    enqueued = 0
    for moment in message_times(starts_at, event.ends_at):
        if moment > now:
            send_event_messages.using(run_after=moment).enqueue(event_id, starts_at.isoformat())
            enqueued += 1
    return enqueued


@task()
def send_event_messages(event_id: int, starts_at: str) -> dict:
    event = EventPage.objects.filter(pk=event_id).only("starts_at").first()
    if event is None or event.starts_at.isoformat() != starts_at:
        return {}  # deleted, or rescheduled: the jobs for the new time will run instead
    return send_due_messages(event_id)


def due_event_ids(now=None) -> list[int]:
    """Events with something possibly due: starting within 25 hours, or ended in the last 14 days."""
    now = now or timezone.now()
    upcoming = EventPage.objects.live().filter(
        cancelled=False, starts_at__gt=now, starts_at__lte=now + SWEEP_LOOKAHEAD
    )
    ended = EventPage.objects.live().filter(
        cancelled=False, ends_at__lte=now, ends_at__gt=now - FEEDBACK_WINDOW
    )
    return sorted(
        set(upcoming.values_list("pk", flat=True)) | set(ended.values_list("pk", flat=True))
    )


@task()
def sweep_event_messages() -> int:
    """Send everything due for every event; returns how many messages went out."""
    total = 0
    for event_id in due_event_ids():
        try:
            sent = send_due_messages(event_id)
            total += sum(n for slot, n in sent.items() if slot != "hosted")
        except Exception:  # one broken event must not stop the others' reminders
            logger.exception("events: sending messages for event %s failed", event_id)
    return total
