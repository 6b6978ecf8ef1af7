"""Build the demo site (users, pages, images and every app's demo content); safe to run twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hub.demo import DEMO_PASSWORD, seeders


class Command(BaseCommand):
    help = f"Create the demo site and demo users (password: {DEMO_PASSWORD}). Idempotent."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "seed_demo refuses to run here: demo users with a published password must never "
                "reach a production site (DEMO_DATA_ALLOWED is off in hub.settings.production)."
            )
        for seeder in seeders():
            with transaction.atomic():
                seeder.func(lambda line, name=seeder.name: self.stdout.write(f"  [{name}] {line}"))
        self.stdout.write(self.style.SUCCESS("Demo site ready."))
