"""Referral settings, the rejected state, and who reviews referrals: Editors see and review them
and choose what qualifies; Moderators may look at them (and the flags queue)."""

import django.db.models.deletion
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {
    "Editors": ["view_referral", "change_referral", "change_referralsettings"],
    "Moderators": ["view_referral"],
}


def grant_permissions(apps, schema_editor):
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
        ('rewards', '0004_perk_permissions'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name='referral',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='signed up'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='qualified_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='qualified'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='referred',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='referred_by', to=settings.AUTH_USER_MODEL, verbose_name='new member'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='referrer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='referrals_made', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='signup_ip',
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name='sign-up IP address'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='state',
            field=models.CharField(choices=[('pending', 'Signed up'), ('qualified', 'Qualified'), ('flagged', 'Flagged for review'), ('rejected', 'Rejected')], default='pending', max_length=10, verbose_name='state'),
        ),
        migrations.CreateModel(
            name='ReferralSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('require_verified_email', models.BooleanField(default=True, help_text='The new member must confirm their e-mail address first.', verbose_name='require a verified e-mail address')),
                ('require_action', models.CharField(blank=True, help_text='For example their first forum post. It counts once it has earned them points, so keep its points rule enabled.', max_length=100, verbose_name='also require this action')),
                ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'referral programme',
            },
        ),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
