"""The background worker's upkeep: heartbeats, retrying tasks a dead worker left RUNNING, and
jobs the worker runs every few minutes.

django_tasks_db marks a task RUNNING when a worker claims it and finished when it returns; a
worker killed in between (``kill -9``, out of memory, the machine lost) leaves it RUNNING for
ever. So each worker (``manage.py db_worker``, hub's own subclass of the library's command)
writes a heartbeat every ``TASKS_WORKER_HEARTBEAT_SECONDS``; a RUNNING task whose worker has not
beaten for ``TASKS_WORKER_LEASE_SECONDS`` is put back to READY and runs again, up to
``TASKS_MAX_ATTEMPTS`` claims in all (then it is FAILED with ``WorkerLost``, so a task that kills
its worker cannot take every worker down in turn). Tasks must therefore be safe to run twice:
ours are (the e-mail digest sends what is still unsent, under a row lock).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker running this task stopped (killed, crashed) too many times."""


def heartbeat_seconds() -> float:
    return float(getattr(settings, "TASKS_WORKER_HEARTBEAT_SECONDS", 10))


def lease_seconds() -> float:
    return float(getattr(settings, "TASKS_WORKER_LEASE_SECONDS", 60))


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"seen_at": now, "started_at": now}
        )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def requeue_stranded() -> int:
    """Put the RUNNING tasks of workers gone silent back to READY (or FAILED after too many
    claims); returns how many it changed. Safe to run from every worker at once."""
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds())
    max_attempts = int(getattr(settings, "TASKS_MAX_ATTEMPTS", 3))
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - lease).values_list("worker_id", flat=True)
    )
    changed = 0
    with transaction.atomic():
        # Claimed before the lease began: a worker that claimed just now may not have beaten yet.
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        )
        for result in running:
            worker = result.worker_ids[-1] if result.worker_ids else None
            if worker in alive:
                continue
            if len(result.worker_ids) >= max_attempts:
                error = WorkerLost(
                    f"worker {worker} stopped while running this task "
                    f"({len(result.worker_ids)} attempts)"
                )
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = f"{__name__}.WorkerLost"
                result.traceback = str(error)
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                logger.error("Task %s (%s) failed: %s", result.pk, result.task_path, error)
            else:
                result.status = TaskResultStatus.READY
                result.save(update_fields=["status"])
                logger.warning(
                    "Task %s (%s) was left running by worker %s, which stopped; retrying it",
                    result.pk,
                    result.task_path,
                    worker,
                )
            changed += 1
    WorkerHeartbeat.objects.filter(seen_at__lt=now - 10 * lease).delete()
    return changed


@dataclass
class Periodic:
    name: str
    every: float
    run: Callable[[], object]
    last: float = field(default=0.0)


_periodic: dict[str, Periodic] = {}


def register_periodic(name: str, *, every: float, run: Callable[[], object]) -> None:
    """Have every worker call ``run`` about every ``every`` seconds (from ``AppConfig.ready()``).
    Keep it short: enqueue a task for anything slow."""
    _periodic[name] = Periodic(name, every, run)


def run_due_periodic(clock: Callable[[], float] = time.monotonic) -> None:
    now = clock()
    for job in _periodic.values():
        if now - job.last >= job.every:
            job.last = now
            try:
                job.run()
            except Exception:
                logger.exception("Periodic job %s failed", job.name)


def upkeep(worker_id: str) -> None:
    """One round: beat, retry what dead workers left, run the periodic jobs that are due."""
    try:
        beat(worker_id)
        requeue_stranded()
    except DatabaseError:
        logger.exception("Worker upkeep could not reach the database; trying again later")
        close_old_connections()
    run_due_periodic()


class Upkeep(threading.Thread):
    """Runs ``upkeep`` beside the worker's loop, so a long task does not stop the heartbeat."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"upkeep-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                upkeep(self.worker_id)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
