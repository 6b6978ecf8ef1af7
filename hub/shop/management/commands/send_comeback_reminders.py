"""Send every come-back code reminder that is due: run it from cron every hour or so.

The database task backend's deferred jobs normally send them on time; this sweep catches
whatever a stopped worker or a backend without deferred jobs missed. Running it twice sends
nothing twice.
"""

from django.core.management.base import BaseCommand

from hub.shop.tasks import sweep_comeback_reminders


class Command(BaseCommand):
    help = "Remind members whose come-back discount code expires soon."

    def handle(self, *args, **options):
        sent = sweep_comeback_reminders.call()
        self.stdout.write(f"{sent} come-back reminder(s) sent")
