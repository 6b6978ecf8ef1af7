"""Who uses the workspace: Editors see the KPI dashboard and reports, and both Editors and
Moderators use the moderation queue and read its log. What each may do inside the queue is the
sources' own permission (e.g. rewards.change_referral for referral flags)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": ["view_dashboard", "access_moderation_queue", "view_moderationdecision"],
    "Moderators": ["access_moderation_queue", "view_moderationdecision"],
}


def grant(apps, schema_editor):
    create_permissions(global_apps.get_app_config("workspace"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="workspace", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="workspace", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("workspace", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
