"""``manage.py db_worker``: django_tasks_db's worker, with a heartbeat, so that what a killed
worker left RUNNING is retried (see ``hub.worker``)."""

from django_tasks_db.management.commands import db_worker

from hub import worker as upkeep


class Worker(db_worker.Worker):
    def run(self) -> None:
        # Claim nothing before this worker's heartbeat exists; retry what dead workers left.
        upkeep.upkeep(self.worker_id)
        thread = upkeep.Upkeep(self.worker_id)
        thread.start()
        try:
            super().run()
        finally:
            thread.stop()
            try:
                upkeep.forget(self.worker_id)
            except Exception:  # noqa: BLE001  (shutting down anyway; the lease expires)
                upkeep.logger.warning("Could not remove the heartbeat of %s", self.worker_id)


class Command(db_worker.Command):
    help = db_worker.Command.help + ", retrying tasks that stopped workers left running"

    def handle(self, *args, **options):
        db_worker.Worker, original = Worker, db_worker.Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
