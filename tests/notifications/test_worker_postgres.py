"""A background worker killed with SIGKILL in the middle of the queue: the next worker retries
what it left RUNNING, and every member gets each notification e-mailed exactly once.

Real `manage.py db_worker` processes run against the test database, with the file-based e-mail
backend, a 0.5 s heartbeat and a 2 s lease."""

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from hub.models import WorkerHeartbeat
from hub.notifications import services, tasks
from hub.notifications.kinds import EMAIL
from hub.notifications.models import PendingEmail
from hub.notifications.services import ANNOUNCEMENT, notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
BEFORE, AFTER = 12, 12  # fast digests queued before and after the one the worker dies in


def start_worker(outbox: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATABASE_POOL": "false",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "NOTIFICATIONS_EMAIL_DIGEST_SECONDS": "0",
        "TASKS_WORKER_HEARTBEAT_SECONDS": "0.5",
        "TASKS_WORKER_LEASE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
    return subprocess.Popen(  # noqa: S603  (this interpreter, fixed arguments)
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.1", "--verbosity", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def queue(task_path: str, user_id: int) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=task_path,
        args_kwargs={"args": [user_id], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
    )


def sent_messages(outbox: Path) -> list:
    messages = []
    for path in sorted(outbox.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def test_a_worker_killed_mid_queue_strands_nothing_and_sends_each_email_once(tmp_path, monkeypatch):
    # The test process runs tasks inline (test settings): here only the workers send.
    monkeypatch.setattr(tasks, "enqueue_email", lambda user_id: None)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    members = [UserFactory(username=f"m{n}") for n in range(BEFORE + 1 + AFTER)]
    for member in members:
        services.set_preferences(member, {ANNOUNCEMENT: EMAIL})
        notify(member, ANNOUNCEMENT, text=f"News for {member.username}, part 1")
        notify(member, ANNOUNCEMENT, text=f"News for {member.username}, part 2")
    slow = members[BEFORE]
    for member in members[:BEFORE]:
        queue("hub.notifications.tasks.send_notification_email", member.pk)
    stranded = queue("tests.notifications.worker_tasks.slow_digest", slow.pk)
    for member in members[BEFORE + 1 :]:
        queue("hub.notifications.tasks.send_notification_email", member.pk)

    first = start_worker(outbox)
    try:
        wait_for(
            lambda: DBTaskResult.objects.filter(
                pk=stranded.pk, status=TaskResultStatus.RUNNING
            ).exists(),
            90,
            "the first worker to start the slow digest",
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)

    assert DBTaskResult.objects.get(pk=stranded.pk).status == TaskResultStatus.RUNNING
    digests = DBTaskResult.objects.filter(task_path=f"{tasks.__name__}.send_notification_email")
    assert digests.filter(status=TaskResultStatus.READY).count() == AFTER
    # Meanwhile another notification for the member whose digest is stranded.
    notify(slow, ANNOUNCEMENT, text=f"News for {slow.username}, part 3")

    second = start_worker(outbox)
    try:
        wait_for(
            lambda: (
                not PendingEmail.objects.filter(sent_at__isnull=True).exists()
                and not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
            ),
            90,
            "the second worker to finish the queue",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        _, errors = second.communicate(timeout=20)
    assert b"Traceback" not in errors, errors.decode()

    result = DBTaskResult.objects.get(pk=stranded.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(result.worker_ids) == 2  # claimed by the dead worker, then by the second one
    dead, _second = result.worker_ids
    # The second worker removed its heartbeat on leaving; the dead one's expires.
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {dead}

    messages = sent_messages(outbox)
    assert len(messages) == len(members)  # one digest each
    assert len({m["Message-ID"] for m in messages}) == len(members)
    bodies = Counter()
    for message in messages:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode()
                for line in text.splitlines():
                    if line.startswith("- News for "):
                        bodies[line[2:].strip()] += 1
    expected = {f"News for {m.username}, part {p}" for m in members for p in (1, 2)}
    expected.add(f"News for {slow.username}, part 3")
    assert set(bodies) == expected
    assert set(bodies.values()) == {1}  # each notification in exactly one e-mail
