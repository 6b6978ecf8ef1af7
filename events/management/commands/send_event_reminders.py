"""Send every reminder and feedback prompt that is due: run it from cron every few minutes.

The deferred jobs of the database task backend normally send them on time; this sweep catches
whatever a stopped worker or a backend without deferred jobs missed. Running it twice sends
nothing twice.
"""

from django.core.management.base import BaseCommand

from events.tasks import sweep_event_messages


class Command(BaseCommand):
    help = "Send due event reminders (24 h and 1 h before) and feedback prompts."

    def handle(self, *args, **options):
        sent = sweep_event_messages.call()
        self.stdout.write(f"{sent} event message(s) sent")
