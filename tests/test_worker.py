"""The worker's upkeep: a task left RUNNING by a worker that stopped beating runs again, a live
worker's task is left alone, and a task that keeps killing its worker fails in the end."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from hub import worker
from hub.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def running(*worker_ids, started_ago=120) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path="hub.notifications.tasks.send_notification_email",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=started_ago),
        worker_ids=list(worker_ids),
    )


def beat(worker_id, ago=0):
    when = timezone.now() - timedelta(seconds=ago)
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=when, seen_at=when)


def test_a_task_whose_worker_went_silent_is_ready_again(settings):
    settings.TASKS_WORKER_LEASE_SECONDS = 60
    beat("dead", ago=90)
    task = running("dead")

    assert worker.requeue_stranded() == 1

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_a_task_with_no_heartbeat_at_all_is_retried_after_the_lease(settings):
    settings.TASKS_WORKER_LEASE_SECONDS = 60
    old, recent = running("gone", started_ago=120), running("gone", started_ago=5)

    worker.requeue_stranded()

    old.refresh_from_db(), recent.refresh_from_db()
    assert old.status == TaskResultStatus.READY
    assert recent.status == TaskResultStatus.RUNNING  # claimed moments ago: not judged yet


def test_a_live_workers_long_task_is_left_running(settings):
    settings.TASKS_WORKER_LEASE_SECONDS = 60
    beat("alive", ago=1)
    task = running("alive", started_ago=3600)

    assert worker.requeue_stranded() == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_that_lost_its_worker_too_often_fails(settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    task = running("w1", "w2", "w3")

    worker.requeue_stranded()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "hub.worker.WorkerLost"


def test_the_upkeep_beats_and_runs_due_periodic_jobs(monkeypatch):
    calls = []
    monkeypatch.setattr(worker, "_periodic", {})
    worker.register_periodic("test.job", every=300, run=lambda: calls.append(1))

    worker.upkeep("w1")
    worker.upkeep("w1")  # not due again for 300 s

    assert calls == [1]
    assert WorkerHeartbeat.objects.filter(worker_id="w1").exists()
