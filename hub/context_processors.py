"""Context every page needs: the navigation, the site's name and its editable settings."""

from django.conf import settings
from wagtail.contrib.settings.context_processors import SettingModuleProxy, SettingProxy

from . import fragments
from .navigation import nav_items

_SETTINGS = fragments.FragmentCache(kept=256)


def site_chrome(request):
    return {"nav_items": nav_items(request.path), "site_name": settings.WAGTAIL_SITE_NAME}


class _KeptSettingModule(SettingModuleProxy):
    def get_setting(self, model_name):
        request = self.request_or_site
        key = (self.app_label, model_name, request._get_raw_host(), request.get_port())
        value = _SETTINGS.get(key)
        if value is None:
            value = super().get_setting(model_name)
            _SETTINGS.set(key, value)
        return value


class _KeptSettings(SettingProxy):
    def __missing__(self, app_label):
        self[app_label] = value = _KeptSettingModule(self.request_or_site, app_label)
        return value


def kept_settings(request):
    """Wagtail's ``settings`` in templates (the brand's name, footer text...), each setting read
    once per site and kept for a few seconds (hub.fragments), not two queries on every page: an
    editor's change shows within FRAGMENT_SECONDS."""
    if not fragments.enabled():
        return {"settings": SettingProxy(request_or_site=request)}
    return {"settings": _KeptSettings(request_or_site=request)}
