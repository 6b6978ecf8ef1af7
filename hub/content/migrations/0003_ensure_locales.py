"""A Wagtail Locale for each of the site's content languages (WAGTAIL_CONTENT_LANGUAGES)."""

from django.db import migrations

# Fixed here rather than read from settings, so the migration means the same thing forever.
LANGUAGE_CODES = ["en", "fr", "ar", "ka", "af", "he", "hy", "fi"]


def ensure_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    existing = set(Locale.objects.values_list("language_code", flat=True))
    Locale.objects.bulk_create(
        [Locale(language_code=code) for code in LANGUAGE_CODES if code not in existing]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_translated_brand_settings"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(ensure_locales, migrations.RunPython.noop)]
