"""The language bar of a Wagtail page: its translations, and a notice when it is shown in another
language than the reader's because it is not translated (yet)."""

from django import template
from django.conf import settings
from django.utils.translation import get_language_info
from wagtail.models import Page

from hub.content_languages import active_language

register = template.Library()


@register.inclusion_tag("includes/page_languages.html", takes_context=True)
def page_languages(context, page):
    request = context.get("request")
    if not settings.WAGTAIL_I18N_ENABLED or not getattr(page, "translation_key", None):
        return {}
    # One query: the page and its live translations, with their locales.
    versions = {
        version.locale.language_code: version
        for version in Page.objects.filter(translation_key=page.translation_key)
        .filter(live=True)
        .select_related("locale")
        .only("pk", "url_path", "locale__language_code", "translation_key", "locale_id")
    }
    shown_in = next(
        (code for code, version in versions.items() if version.pk == page.pk),
        settings.LANGUAGE_CODE,
    )
    reader = active_language()
    translations = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": versions[code].get_url(request),
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
