"""A task for the worker tests: a digest that, on its first attempt, takes long enough for the
test to kill the worker in the middle of it."""

import time

from django_tasks import task

from hub.notifications.tasks import send_notification_email


@task(takes_context=True)
def slow_digest(context, user_id: int) -> int:
    if context.attempt == 1:
        time.sleep(120)
    return send_notification_email.call(user_id)
