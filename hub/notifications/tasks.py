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


def enqueue_email(user_id: int) -> None:
    """Send the user's waiting notifications after the digest window (at once without a worker)."""
    window = getattr(settings, "NOTIFICATIONS_EMAIL_DIGEST_SECONDS", 0)
    if window and default_task_backend.supports_defer:
        run_after = timezone.now() + datetime.timedelta(seconds=window)
        send_notification_email.using(run_after=run_after).enqueue(user_id)
    else:
        send_notification_email.enqueue(user_id)


def overdue_before() -> datetime.datetime:
    """A waiting e-mail created before this should have been sent already."""
    window = getattr(settings, "NOTIFICATIONS_EMAIL_DIGEST_SECONDS", 0)
    return timezone.now() - datetime.timedelta(seconds=window + OVERDUE_AFTER_SECONDS)


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
        # Marked first: once the message is handed over, only the commit remains.
        PendingEmail.objects.filter(pk__in=[p.pk for p in pending]).update(sent_at=timezone.now())
        message = build_message(user, [p.notification for p in pending])
        message.extra_headers["Message-ID"] = message_id(user_id, pending[0].pk)
        message.send()
    return len(pending)


@task()
def send_overdue_emails() -> int:
    """Send what waits past its window (its own send failed); returns how many members."""
    user_ids = list(
        PendingEmail.objects.filter(sent_at__isnull=True, created__lt=overdue_before())
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by()
    )
    for user_id in user_ids:
        logger.warning("Sending the overdue notification e-mail of member %s", user_id)
        send_notification_email.call(user_id)
    return len(user_ids)
