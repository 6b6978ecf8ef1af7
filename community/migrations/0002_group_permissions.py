"""Who runs the forum: Moderators moderate (hide and restore posts, lock/pin/move/merge topics,
work the flag queue, suspend members, moderate story comments); Editors manage the categories and
the posting limits."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Moderators": {
        "community": [
            "view_topic", "change_topic", "moderate_topic",
            "view_post", "change_post", "view_postrevision",
            "view_flag", "change_flag",
            "add_suspension", "change_suspension", "view_suspension",
            "view_category",
        ],
        "django_comments_xtd": ["view_xtdcomment", "change_xtdcomment"],
        "django_comments": ["can_moderate"],
    },
    "Editors": {
        "community": [
            "add_category", "change_category", "delete_category", "view_category",
            "change_communitysettings", "view_communitysettings",
        ],
    },
}


def forwards(apps, schema_editor):
    for label in ("community", "django_comments_xtd", "django_comments"):
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in by_app.items():
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("rewards", "0002_default_tiers_and_permissions"),
        ("django_comments_xtd", "0008_auto_20200920_2037"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
