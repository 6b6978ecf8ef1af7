"""The footer's language menu: Django's set_language, which also remembers a member's choice.

For an anonymous visitor it only sets the language cookie, so it takes no CSRF token: the footer
of a page shared from the page cache (hub/pagecache.py) must not carry one. A signed-in member's
choice is saved to their account, so theirs is checked as every other form is.
"""

from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from hub.accounts import services as account_services


def _checked(request):
    return None


@csrf_exempt
@require_POST
def set_language(request):
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(django_set_language).process_view(request, _checked, (), {})
        if refused is not None:
            return refused
    response = django_set_language(request)
    if request.user.is_authenticated:
        account_services.set_language(request.user, request.POST.get("language", ""))
    return response
