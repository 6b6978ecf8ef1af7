"""The sitemap's pages with their address in every language (``xhtml:link`` alternates)."""

from django.conf import settings
from wagtail.contrib.sitemaps import Sitemap

from . import language_codes, localized_path


class LocalizedSitemap(Sitemap):
    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            location = url_info["location"]
            scheme, sep, rest = location.partition("://")
            host, slash, path = rest.partition("/")
            origin = f"{scheme}{sep}{host}"
            path = slash + path
            url_info["alternates"] = [
                {"lang_code": code, "location": origin + localized_path(path, code)}
                for code in language_codes()
            ] + [
                {
                    "lang_code": "x-default",
                    "location": origin + localized_path(path, settings.LANGUAGE_CODE),
                }
            ]
        return urls
