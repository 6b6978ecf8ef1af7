"""Who may run perks: Editors manage perks and their code pools and read the redemptions report;
Moderators get nothing here."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [
        "add_perk", "change_perk", "delete_perk", "view_perk",
        "add_perkcode", "change_perkcode", "delete_perkcode", "view_perkcode",
        "view_redemption",
    ],
}


def forwards(apps, schema_editor):
    create_permissions(global_apps.get_app_config("rewards"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="rewards", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0003_leaderboards_perks_referrals"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
