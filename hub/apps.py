"""The project package as an app: site-wide templates tags, management commands and registries."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("Advocate Hub")

    def ready(self):
        from . import converters, spreadsheets

        converters.register()
        spreadsheets.install()
