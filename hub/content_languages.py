"""The brand's own content in several languages: translated names in the admin, and pages.

Names editors define (tiers, badges, categories, products…) carry a column per language
(django-modeltranslation, registered in each app's ``translation.py``): reading ``tier.name``
gives the active language's name, or the default language's where it is not translated, from the
same row, so lists cost no extra query. The admin form keeps the plain field for the default
language and shows the others in a collapsed "Translations" panel.

Pages are translated with wagtail-localize (one page per locale, linked by ``translation_key``);
``in_active_language`` lists each page once, in the reader's language where it exists.
"""

import functools

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


def other_languages() -> list[str]:
    """Every content language but the default one, in settings order."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_field_names(*fields: str) -> list[str]:
    """``name_fr``, ``name_ar``, … for each field, grouped by language."""
    return [f"{field}_{code}" for code in other_languages() for field in fields]


def translations_panel(*fields: str) -> MultiFieldPanel:
    """A collapsed panel with the field(s) in every language but the default one."""
    return MultiFieldPanel(
        [FieldPanel(name) for name in translation_field_names(*fields)],
        heading=_("Translations"),
        help_text=_("Leave a language empty to show the English text in it."),
        classname="collapsed",
    )


class DefaultLanguageFormMixin:
    """The plain field (``name``) is always the default language's, whatever the admin's language:
    without this an editor using the admin in French would edit ``name_fr`` through it."""

    def __init__(self, *args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            super().__init__(*args, **kwargs)

    def _post_clean(self):
        with translation.override(settings.LANGUAGE_CODE):
            super()._post_clean()


class TranslatedNamesViewSetMixin:
    """For a ModelViewSet whose model has translated names: its form edits the plain fields in the
    default language (see DefaultLanguageFormMixin)."""

    def get_form_class(self, for_update=False):
        form_class = super().get_form_class(for_update)
        return type(form_class.__name__, (DefaultLanguageFormMixin, form_class), {})


def active_language() -> str:
    """The active language if it is a content language, else the default one."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_active_language(queryset):
    """Each page of ``queryset`` once: its translation in the active language where one is live,
    otherwise the default language's page (one query, no per-row lookup)."""
    default, active = settings.LANGUAGE_CODE, active_language()
    if active == default:
        return queryset.filter(locale__language_code=default)
    translated = (
        queryset.model.objects.live().filter(locale__language_code=active).values("translation_key")
    )
    return queryset.filter(
        Q(locale__language_code=active)
        | (Q(locale__language_code=default) & ~Q(translation_key__in=translated))
    )


def children_in_active_language(index, model):
    """The ``model`` pages under ``index`` (or under any of its translations: each index type is
    the only one of its kind per language), each once, in the reader's language where possible."""
    if active_language() == settings.LANGUAGE_CODE:
        return in_active_language(model.objects.child_of(index))
    return in_active_language(model.objects.filter(depth=index.depth + 1))


@functools.cache
def _locale_pk(language_code: str) -> int | None:
    # Only ever asked for the default locale, which Wagtail's migrations create and nothing
    # deletes: one query per process.
    from wagtail.models import Locale

    return Locale.objects.filter(language_code=language_code).values_list("pk", flat=True).first()


def default_language_version(page):
    """``page`` in the default language (itself when it is, with no query), or None when it has
    no default-language translation."""
    default_pk = _locale_pk(settings.LANGUAGE_CODE)
    if default_pk is None:
        _locale_pk.cache_clear()
        return page
    if page.locale_id == default_pk:
        return page
    return page.__class__.objects.filter(
        translation_key=page.translation_key, locale_id=default_pk
    ).first()


# The languages the demo translates the brand's content into (English is the source).
DEMO_LANGUAGES = ("ka", "af", "he", "hy", "fi")


def locale_for(language_code: str):
    """The Wagtail locale of a language, created if missing (the demo does not rely on a data
    migration having made it)."""
    from wagtail.models import Locale

    return Locale.objects.get_or_create(language_code=language_code)[0]


def translate_page(page, language_code: str, **fields):
    """``page`` in ``language_code``, published with ``fields`` set: what an editor does with
    wagtail-localize's "Translate" and "Publish". A translation that exists is left as it is (an
    editor may have changed it), so running the demo twice changes nothing."""
    locale = locale_for(language_code)
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific, False
    translation_page = page.specific.copy_for_translation(locale, copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation_page, name, value)
    translation_page.save_revision().publish()
    return translation_page, True
