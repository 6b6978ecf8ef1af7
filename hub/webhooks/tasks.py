"""Background jobs (django-tasks): send one webhook delivery; sweep whatever is due.

A failed attempt schedules the next one as a deferred job (``run_after``) where the backend can
defer; the sweep (``manage.py send_webhooks``, from cron every minute) is the guarantee, and
sends nothing twice: a delivery is claimed before it is sent.
"""

from django_tasks import default_task_backend, task

from . import delivery


def _schedule_retry(attempt) -> None:
    retry_at = attempt.delivery.next_attempt_at if attempt is not None else None
    if retry_at is not None and default_task_backend.supports_defer:
        send_webhook.using(run_after=retry_at).enqueue(attempt.delivery_id)


@task()
def send_webhook(delivery_id: int) -> bool:
    attempt = delivery.send_delivery(delivery_id)
    _schedule_retry(attempt)
    return attempt is not None


@task()
def replay_webhook(delivery_id: int) -> bool:
    attempt = delivery.send_delivery(delivery_id, manual=True)
    _schedule_retry(attempt)
    return attempt is not None


@task()
def sweep_webhooks() -> int:
    return delivery.send_due()
