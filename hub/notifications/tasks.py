"""Background jobs (django-tasks): the notification e-mail, one digest per member.

``services.notify`` enqueues them; they never call back into the services (the announcement
job, which notifies everyone, lives beside ``services.broadcast``).
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from .emails import build_message
from .models import PendingEmail

logger = logging.getLogger(__name__)


def enqueue_email(user_id: int) -> None:
    """Send the user's waiting notifications after the digest window (at once without a worker)."""
    window = getattr(settings, "NOTIFICATIONS_EMAIL_DIGEST_SECONDS", 0)
    if window and default_task_backend.supports_defer:
        run_after = timezone.now() + datetime.timedelta(seconds=window)
        send_notification_email.using(run_after=run_after).enqueue(user_id)
    else:
        send_notification_email.enqueue(user_id)


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
            .order_by("created")
        )
        if not pending:
            return 0
        build_message(user, [p.notification for p in pending]).send()
        PendingEmail.objects.filter(pk__in=[p.pk for p in pending]).update(sent_at=timezone.now())
    return len(pending)
