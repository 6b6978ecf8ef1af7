"""Starting tiers, and who may run the programme: Editors tune rules, tiers and badges and adjust
points; Moderators may only look at the ledger."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

TIERS = [
    ("Member", 0, "Everyone starts here.", "#6b7280"),
    ("Insider", 100, "Regular helpers: early looks at what we are working on.", "#0f766e"),
    ("Champion", 500, "The people others turn to first.", "#4338ca"),
    ("Legend", 2000, "Shaped this community. Thank you.", "#b45309"),
]
GRANTS = {
    "Editors": [
        "change_rewardrule", "view_rewardrule",
        "add_tier", "change_tier", "delete_tier", "view_tier",
        "add_badge", "change_badge", "delete_badge", "view_badge",
        "add_pointsentry", "view_pointsentry",
    ],
    "Moderators": ["view_pointsentry"],
}


def forwards(apps, schema_editor):
    Tier = apps.get_model("rewards", "Tier")
    for name, threshold, description, colour in TIERS:
        Tier.objects.get_or_create(
            threshold=threshold, defaults={"name": name, "description": description, "colour": colour}
        )
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
        ("rewards", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
