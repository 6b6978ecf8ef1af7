"""The site's languages: which one a member reads, and addresses with a language prefix.

The default language (``LANGUAGE_CODE``) has no prefix: ``/community/`` is the forum in English,
or in the visitor's language when a signed-in member, a cookie or the browser says so;
``/he/community/`` is always the forum in Hebrew (``hub.i18n.urls.language_patterns``).
"""

from django.conf import settings
from django.utils import translation

# Addresses outside the language patterns (hub/urls.py): never given a prefix.
UNPREFIXED = (
    "/admin/",
    "/api/",
    "/documents/",
    "/healthz",
    "/i18n/",
    "/robots.txt",
    "/sitemap.xml",
    "/static/",
    "/media/",
    "/ws/",
)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` when it is one of the site's languages (``he-IL`` gives ``he``), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_of(user) -> str:
    """The language a member reads the site, their notifications and e-mails in.

    Their own choice (set at sign-up from the browser, changed in account settings or the
    footer), else an editor's preferred language in the Wagtail admin, else (an account from
    before languages were stored) the language in use now, else the default.
    """
    chosen = supported(getattr(user, "language", "") or "")
    if chosen:
        return chosen
    if getattr(user, "pk", None):
        from wagtail.users.models import UserProfile

        preferred = (
            UserProfile.objects.filter(user_id=user.pk)
            .exclude(preferred_language="")
            .values_list("preferred_language", flat=True)
            .first()
        )
        if supported(preferred):
            return supported(preferred)
    return current_language()


def current_language() -> str:
    return supported(translation.get_language()) or settings.LANGUAGE_CODE


def languages_of(user_ids) -> dict[int, str]:
    """Each member's language (``language_of``), in one query: for notifying many at once."""
    from django.contrib.auth import get_user_model

    rows = (
        get_user_model()
        .objects.filter(pk__in=list(user_ids))
        .values_list("pk", "language", "wagtail_userprofile__preferred_language")
    )
    fallback = current_language()
    return {pk: supported(own) or supported(admin) or fallback for pk, own, admin in rows}


def split_language(path: str) -> tuple[str | None, str]:
    """(the language of ``path``'s prefix or None, the path without it): ``/he/x/`` gives
    ``("he", "/x/")``. The default language never has a prefix."""
    first, _sep, rest = path.lstrip("/").partition("/")
    if first in language_codes() and first != settings.LANGUAGE_CODE:
        return first, "/" + rest
    return None, path


def localized_path(path: str, language: str) -> str:
    """``path`` in ``language``: its prefix replaced (none for the default language, nor for
    addresses outside the language patterns, nor for other sites' addresses)."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    _current, bare = split_language(path)
    language = supported(language)
    if language in (None, settings.LANGUAGE_CODE) or bare.startswith(UNPREFIXED):
        return bare
    return f"/{language}{bare}"
