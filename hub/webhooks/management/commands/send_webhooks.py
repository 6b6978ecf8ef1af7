"""Send every webhook delivery that is due: run it from cron every minute.

The database task backend's deferred jobs normally send retries on time; this sweep catches
whatever a stopped worker or a backend without deferred jobs missed. Running it twice sends
nothing twice.
"""

from django.core.management.base import BaseCommand

from hub.webhooks.tasks import sweep_webhooks


class Command(BaseCommand):
    help = "Send due outgoing webhook deliveries (first tries and retries)."

    def handle(self, *args, **options):
        made = sweep_webhooks.call()
        self.stdout.write(f"{made} webhook attempt(s) made")
