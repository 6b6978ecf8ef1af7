"""Send one member an announcement: python manage.py notify <username> "<text>" [--url /path/]."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hub.notifications.services import ANNOUNCEMENT, notify


class Command(BaseCommand):
    help = "Send a notification of kind hub.announcement to one member."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("text")
        parser.add_argument("--url", default="", help="where the notification links to")

    def handle(self, username, text, url, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No member is called {username!r}.")
        text = text.strip()
        if not text:
            raise CommandError("The text is empty.")
        sent = notify(user, ANNOUNCEMENT, text=text, url=url)
        if not sent:
            self.stdout.write(f"{username} has turned announcements off; nothing was sent.")
            return
        self.stdout.write(self.style.SUCCESS(f"Sent notification #{sent[0].pk} to {username}."))
