"""The order webhook's inbox: a delivery is answered 202 at once and stored, pending, with the
task that applies it; the worker applies it once however often that task runs, a worker killed
part-way leaves nothing behind and the retried task awards once, and a delivery whose task was
lost is applied by the sweep."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hub import worker
from hub.rewards.models import Balance, PointsEntry
from hub.shop import summaries
from hub.shop.inbox import process_order_event, sweep_pending_order_events
from hub.shop.models import Order, OrderEvent
from tests.shop.helpers import deliver, envelope, make_shop, verified_member

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_PATH = "hub.shop.inbox.process_order_event_task"


class Killed(BaseException):
    """The worker's process dying part-way through a task: its transaction is rolled back, as
    PostgreSQL rolls back the transaction of a connection that a killed process leaves."""


def test_a_delivery_is_answered_before_its_effects_are_applied(client):
    _shop, secret = make_shop()
    ana = verified_member("ana")
    response = deliver(client, secret, envelope(total="80.00"), process=False)

    assert response.status_code == 202
    event = OrderEvent.objects.get(pk=response.json()["event"])
    assert event.processed_at is None and event.order is None and event.order_number == "1001"
    assert not Order.objects.exists() and not PointsEntry.objects.exists()

    assert process_order_event(event.pk) is not None

    event.refresh_from_db()
    assert event.processed_at is not None and event.order.external_id == "1001"
    assert Balance.objects.get(user=ana).lifetime == 80
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1


def test_the_database_queue_gets_the_task_in_the_same_transaction_as_the_delivery(client, settings):
    settings.TASKS = DB_TASKS
    _shop, secret = make_shop()
    response = deliver(client, secret, envelope(), process=False)

    task = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["args"] == [response.json()["event"]]


# Transactional: the worker checks its connection between tasks, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_processing_leaves_nothing_and_the_retried_task_awards_once(
    client, settings, monkeypatch
):
    settings.TASKS = DB_TASKS
    settings.TASKS_WORKER_LEASE_SECONDS = 60
    _shop, secret = make_shop()
    ana = verified_member("ana")
    event_id = deliver(client, secret, envelope(total="60.00"), process=False).json()["event"]
    task = DBTaskResult.objects.get(task_path=TASK_PATH)

    # A worker claims the task and dies after the points and the notification, before the end.
    def die(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(summaries, "order_changed", die)
    with pytest.raises(Killed):
        process_order_event(event_id)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["killed-worker"],
    )
    monkeypatch.undo()
    assert OrderEvent.objects.get(pk=event_id).processed_at is None
    assert not Order.objects.exists() and not PointsEntry.objects.exists()
    assert not ana.notifications.exists()

    # The surviving worker's upkeep puts the task back, and runs it.
    assert worker.requeue_stranded() == 1
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert OrderEvent.objects.get(pk=event_id).processed_at is not None
    assert PointsEntry.objects.filter(user=ana, action="shop.order.paid").count() == 1
    assert Balance.objects.get(user=ana).lifetime == 60
    assert ana.notifications.filter(kind="shop.order.rewarded").count() == 1

    # The task running once more (its worker died after the commit) changes nothing.
    assert process_order_event(event_id) is None
    assert PointsEntry.objects.filter(user=ana).count() == 1


def test_a_delivery_whose_task_was_lost_is_applied_by_the_sweep(client):
    _shop, secret = make_shop()
    ana = verified_member("ana")
    deliver(client, secret, envelope(total="30.00"), process=False)  # its task never ran
    OrderEvent.objects.update(received_at=timezone.now() - timedelta(minutes=20))

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_pending_order_events() == 1

    assert Balance.objects.get(user=ana).lifetime == 30
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweep_pending_order_events() == 0
    assert PointsEntry.objects.filter(user=ana).count() == 1


def test_a_recent_pending_delivery_is_left_to_its_own_task(client):
    _shop, secret = make_shop()
    deliver(client, secret, envelope(), process=False)
    assert sweep_pending_order_events() == 0


def test_a_replayed_webhook_id_enqueues_nothing(client, settings):
    settings.TASKS = DB_TASKS
    _shop, secret = make_shop()
    deliver(client, secret, envelope(), webhook_id="msg_1", process=False)
    replay = deliver(client, secret, envelope(), webhook_id="msg_1", process=False)

    assert replay.status_code == 409
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1
    assert OrderEvent.objects.count() == 1


def test_accepting_a_delivery_is_the_secret_look_up_and_two_inserts(
    client, settings, django_assert_max_num_queries
):
    settings.TASKS = DB_TASKS
    _shop, secret = make_shop()
    verified_member("ana")
    # The secret, the delivery, its task (and the savepoint the test's transaction makes of
    # the delivery's transaction: two statements).
    with django_assert_max_num_queries(5):
        assert deliver(client, secret, envelope(), process=False).status_code == 202
