"""Who runs events: Editors manage RSVPs (waitlists, check-in, messages; event pages are Wagtail
pages with their own page permissions); Moderators may look at RSVPs and check people in."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_rsvp", "change_rsvp", "delete_rsvp", "view_calendarfeed", "view_delivery"],
    "Moderators": ["view_rsvp", "change_rsvp"],
}


def forwards(apps, schema_editor):
    create_permissions(global_apps.get_app_config("events"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
        )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("rewards", "0002_default_tiers_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
