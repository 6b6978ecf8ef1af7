"""Which language a request is answered in (Django's LocaleMiddleware, with the member's own)."""

from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import split_language, supported


def request_language(request) -> tuple[str, bool]:
    """(language, whether the address chose it): the address's prefix (``/he/…``), else the
    signed-in member's language, else the cookie, else Accept-Language, else the default."""
    from_path, _bare = split_language(request.path_info)
    if from_path:
        return from_path, True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        chosen = supported(getattr(user, "language", ""))
        if chosen:
            return chosen, False
    return translation.get_language_from_request(request, check_path=False), False


class MemberLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language, from_path = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if not from_path:
            # The same address answers in several languages: caches must tell them apart.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
