"""Who runs the shop connection: Editors connect shops, rotate secrets, import orders and read
orders and deliveries; Moderators get nothing here."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Editors": [
        "add_shop", "change_shop", "view_shop",
        "add_order", "view_order", "view_orderevent", "change_shopsettings",
    ],
}


def forwards(apps, schema_editor):
    create_permissions(global_apps.get_app_config("shop"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="shop", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
