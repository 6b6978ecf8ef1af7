from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "hub.workspace"
    label = "workspace"
    verbose_name = _("Editors' workspace")

    def ready(self):
        from hub.demo import register_seeder

        from .bench import register as register_bench
        from .demo import seed_activity

        # After the demo members and their points exist.
        register_seeder("workspace activity", seed_activity, order=90)
        register_bench()
