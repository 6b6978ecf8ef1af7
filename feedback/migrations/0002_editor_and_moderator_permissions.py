"""Who may do what in the Feedback admin: Editors manage everything (products, reviews,
verified customers, testimonials, ideas and their categories, surveys); Moderators moderate
reviews and ideas (approve, reject, hide, dismiss reports, set idea statuses) and see products."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "product", "review", "reviewphoto", "helpfulvote", "reviewreport", "verifiedcustomer",
    "testimonial", "ideacategory", "idea", "ideavote", "ideacomment", "ideastatuschange",
    "ideareport", "survey", "surveyresponse",
]  # fmt: skip
GRANTS = {
    "Editors": [f"{verb}_{model}" for model in MODELS for verb in ("add", "change", "delete", "view")],
    "Moderators": [
        "view_product", "view_review", "change_review", "view_reviewreport", "view_reviewphoto",
        "view_idea", "change_idea", "view_ideareport", "view_ideacomment", "change_ideacomment",
    ],
}  # fmt: skip


def forwards(apps, schema_editor):
    create_permissions(global_apps.get_app_config("feedback"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="feedback", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("rewards", "0002_default_tiers_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
