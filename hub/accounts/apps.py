from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete

        from hub.webhooks.types import register_event_type

        from . import receivers  # noqa: F401  (allauth signals)
        from .backends import bump_permissions_version
        from .models import User

        # Admin forms change groups and permissions without a service: drop kept permission sets.
        for through in (
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(bump_permissions_version, sender=through, weak=False)
        for model in (Group, Permission):
            post_delete.connect(bump_permissions_version, sender=model, weak=False)

        register_event_type("member.joined", _("Someone signed up"))
