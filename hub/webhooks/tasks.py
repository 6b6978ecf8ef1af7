"""Background jobs (django-tasks): send one webhook delivery; sweep whatever is due.

Deferred jobs (``run_after``) send retries on time where the backend can defer them; the sweep
(``manage.py send_webhooks``, from cron every minute) is the guarantee, and sends nothing twice:
a delivery is claimed before it is sent.
"""

from django_tasks import task


@task()
def send_webhook(delivery_id: int) -> bool:
    from .services import send_delivery

    return send_delivery(delivery_id) is not None


@task()
def replay_webhook(delivery_id: int) -> bool:
    from .services import send_delivery

    return send_delivery(delivery_id, manual=True) is not None


@task()
def sweep_webhooks() -> int:
    from .services import send_due

    return send_due()
