"""Send every invitation to review a purchase that is due: run it from cron every hour or so.

The database task backend's deferred jobs normally send them on the day; this sweep catches
whatever a stopped worker or a backend without deferred jobs missed. Running it twice sends
nothing twice.
"""

from django.core.management.base import BaseCommand

from feedback.tasks import sweep_review_invitations


class Command(BaseCommand):
    help = "Invite members to review what they bought, when their invitation is due."

    def handle(self, *args, **options):
        sent = sweep_review_invitations.call()
        self.stdout.write(f"{sent} review invitation(s) sent")
