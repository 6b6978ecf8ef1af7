"""The language bar of a Wagtail page: its translations, and a notice when it is shown in another
language than the reader's because it is not translated (yet)."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language_info
from wagtail.models import Page

from hub.content.queries import CACHE_TTL, pages_version
from hub.content_languages import active_language

register = template.Library()


def _versions(page, request) -> dict[str, tuple[int, str]]:
    """{language: (page id, URL)} of the page's live translations (the page itself included),
    cached until a page is next published, unpublished or moved: no query once warm."""
    host = request.get_host() if request is not None else ""
    key = f"content:page-languages:{pages_version()}:{page.translation_key}:{host}"
    versions = cache.get(key)
    if versions is None:
        versions = {
            version.locale.language_code: (version.pk, version.get_url(request))
            for version in Page.objects.filter(translation_key=page.translation_key, live=True)
            .select_related("locale")
            .only("pk", "url_path", "locale__language_code", "translation_key", "locale_id")
        }
        cache.set(key, versions, CACHE_TTL)
    return versions


@register.inclusion_tag("includes/page_languages.html", takes_context=True)
def page_languages(context, page):
    request = context.get("request")
    if not settings.WAGTAIL_I18N_ENABLED or not getattr(page, "translation_key", None):
        return {}
    versions = _versions(page, request)
    shown_in = next(
        (code for code, (pk, _url) in versions.items() if pk == page.pk),
        settings.LANGUAGE_CODE,
    )
    reader = active_language()
    translations = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": versions[code][1],
            "current": code == shown_in,
        }
        for code, _name in settings.LANGUAGES
        if code in versions
    ]
    return {
        "request": request,
        "translations": translations if len(translations) > 1 else [],
        "fallback": reader != shown_in,
        "reader_language": get_language_info(reader)["name_translated"],
        "shown_language": get_language_info(shown_in)["name_translated"],
        "shown_code": shown_in,
    }
