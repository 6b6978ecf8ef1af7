"""URL patterns with an optional language prefix: ``/he/community/`` and ``/community/`` both match.

Django's ``i18n_patterns(prefix_default_language=False)`` matches an unprefixed address only when
the default language is active, so a member reading in Hebrew at ``/community/`` (their stored
language, or the cookie) would get a 404. Here the prefix is read from the address itself, and
``reverse()`` still adds the active language's prefix (none for the default language).
"""

from django.conf import settings
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern


class LanguagePrefixPattern(LocalePrefixPattern):
    def __init__(self):
        super().__init__(prefix_default_language=False)

    def match(self, path):
        first, sep, rest = path.partition("/")
        codes = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
        if sep and first in codes:
            return rest, (), {}
        return path, (), {}


def language_patterns(*urls):
    return [URLResolver(LanguagePrefixPattern(), list(urls))]
