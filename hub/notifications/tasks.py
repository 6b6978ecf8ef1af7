"""Background jobs (django-tasks): the notification e-mail, one digest per member.

``services.notify`` enqueues them; they never call back into the services (the announcement
job, which notifies everyone, lives beside ``services.broadcast``).

A member's waiting e-mails always have a send coming: the digest ``notify`` scheduled, its retry
when the worker running it died (``hub.worker``), or, when that is overdue anyway (the task
failed: the mail server was down), the next notification's digest or the worker's sweep,
``send_overdue_emails``, every few minutes. Each goes out once: the rows are locked and marked
sent in the transaction that sends them, so a second job skips them, and one that dies before
committing leaves them unsent for the retry. Only a crash in the instant between the mail server
accepting the message and the commit sends it again, with the same Message-ID (mail systems drop
such a repeat).

The daily summary ("On the site, and in a daily summary e-mail") uses the same rows with a later
``due_at``: no task is scheduled for it, the sweep sends each member's summary once its first
item is due (a killed worker loses nothing: the rows wait for the next sweep). Whichever e-mail
goes first takes everything waiting, so a "by e-mail" notification carries the waiting summary
items along. A summary item the member has already read on the site is left out (and dropped).
"""

import datetime
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .emails import build_message
from .models import PendingEmail

logger = logging.getLogger(__name__)

# Past its digest window by this much, a waiting e-mail's scheduled send has evidently failed.
OVERDUE_AFTER_SECONDS = 300


def email_due() -> datetime.datetime:
    """When a "by e-mail" notification stored now should go: at the end of the digest window."""
    window = getattr(settings, "NOTIFICATIONS_EMAIL_DIGEST_SECONDS", 0)
    return timezone.now() + datetime.timedelta(seconds=window)


def daily_due() -> datetime.datetime:
    """When a daily summary opened now should go."""
    day = getattr(settings, "NOTIFICATIONS_DAILY_DIGEST_SECONDS", 86400)
    return timezone.now() + datetime.timedelta(seconds=day)


def enqueue_email(user_id: int) -> None:
    """Send the user's waiting notifications after the digest window (at once without a worker)."""
    window = getattr(settings, "NOTIFICATIONS_EMAIL_DIGEST_SECONDS", 0)
    if window and default_task_backend.supports_defer:
        run_after = timezone.now() + datetime.timedelta(seconds=window)
        send_notification_email.using(run_after=run_after).enqueue(user_id)
    else:
        send_notification_email.enqueue(user_id)


def overdue_before() -> datetime.datetime:
    """A "by e-mail" notification due before this should have been sent already."""
    return timezone.now() - datetime.timedelta(seconds=OVERDUE_AFTER_SECONDS)


def message_id(user_id: int, first_pending_id: int) -> str:
    """The same for a retry of the same digest: what is waiting only grows until it is sent."""
    domain = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    return f"<notifications.{user_id}.{first_pending_id}@{domain}>"


@task()
def send_notification_email(user_id: int) -> int:
    """E-mail everything waiting for ``user_id`` in one message; returns how many it covered."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        PendingEmail.objects.filter(recipient_id=user_id, sent_at__isnull=True).delete()
        return 0
    with transaction.atomic():
        # Lock the rows so two workers never send the same notification twice.
        pending = list(
            PendingEmail.objects.select_for_update(skip_locked=True)
            .filter(recipient_id=user_id, sent_at__isnull=True)
            .select_related("notification")
            .order_by("pk")
        )
        if not pending:
            return 0
        # Read on the site already: a summary item has nothing left to tell.
        seen = [p.pk for p in pending if p.daily and p.notification.read_at is not None]
        if seen:
            PendingEmail.objects.filter(pk__in=seen).delete()
        sending = [p for p in pending if p.pk not in seen]
        if not sending:
            return 0
        # Marked first: once the message is handed over, only the commit remains.
        PendingEmail.objects.filter(pk__in=[p.pk for p in sending]).update(sent_at=timezone.now())
        message = build_message(
            user,
            [p.notification for p in sending],
            daily=all(p.daily for p in sending),
        )
        # From every row locked, read or not: a retry after a crash repeats the same id.
        message.extra_headers["Message-ID"] = message_id(user_id, pending[0].pk)
        message.send()
    return len(sending)


def _members_with(**lookups) -> set[int]:
    return set(
        PendingEmail.objects.filter(sent_at__isnull=True, **lookups)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by()
    )


@task()
def send_overdue_emails() -> int:
    """Send the daily summaries that are due, and the e-mails waiting past their window (their
    own send failed); returns how many members were e-mailed (a summary whose every item was
    read on the site sends nothing)."""
    overdue = _members_with(daily=False, due_at__lt=overdue_before())
    summaries = _members_with(daily=True, due_at__lte=timezone.now())
    emailed = 0
    for user_id in sorted(overdue | summaries):
        if user_id in overdue:
            logger.warning("Sending the overdue notification e-mail of member %s", user_id)
        try:
            sent = send_notification_email.call(user_id)
        except Exception:
            # One member's failure (a refused address, the mail server down) must not hold up
            # everyone after them: their rows rolled back and wait for the next sweep.
            logger.exception("The notification e-mail of member %s failed", user_id)
            continue
        if sent:
            emailed += 1
    return emailed
