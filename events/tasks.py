"""Background jobs (django-tasks): reminders 24 h and 1 h before, the feedback prompt after.

django-tasks can defer a job (``run_after``) only on backends that support it
(``supports_defer``: the database backend does, the immediate one does not). So the deferred
jobs are an optimisation, not the guarantee: ``sweep_event_messages`` (run every few minutes by
``manage.py send_event_reminders`` from cron, or enqueued by the worker itself) finds whatever
is due. Both end in ``services.send_due_messages``, which records each message in ``Delivery``
and so sends it once per member per slot however often it runs.
"""

import datetime
import logging

from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)

SWEEP_LOOKAHEAD = datetime.timedelta(hours=25)


def message_times(starts_at, ends_at=None) -> list[datetime.datetime]:
    from .services import REMINDER_SLOTS

    times = [starts_at - ahead for _slot, ahead in REMINDER_SLOTS]
    if ends_at is not None:
        times.append(ends_at)
    return times


def schedule_event_messages(event_id: int, starts_at) -> int:
    """Enqueue a job at each moment something falls due for the event (when the backend can
    defer); returns how many were enqueued. A job finding the event moved since does nothing."""
    from .models import EventPage

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
    from .models import EventPage
    from .services import send_due_messages

    event = EventPage.objects.filter(pk=event_id).only("starts_at").first()
    if event is None or event.starts_at.isoformat() != starts_at:
        return {}  # deleted, or rescheduled: the jobs for the new time will run instead
    return send_due_messages(event_id)


def due_event_ids(now=None) -> list[int]:
    """Events with something possibly due: starting within 25 hours, or ended in the last 14 days."""
    from .models import EventPage
    from .services import FEEDBACK_WINDOW

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
    from .services import send_due_messages

    total = 0
    for event_id in due_event_ids():
        try:
            sent = send_due_messages(event_id)
            total += sum(n for slot, n in sent.items() if slot != "hosted")
        except Exception:  # one broken event must not stop the others' reminders
            logger.exception("events: sending messages for event %s failed", event_id)
    return total
