"""Site-wide records that belong to no one app: the background workers' heartbeats."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """A running ``db_worker`` says it is alive; a task whose worker stopped beating is retried
    (``hub.worker.requeue_stranded``)."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
