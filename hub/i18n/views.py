"""The footer's language menu: Django's set_language, which also remembers a member's choice."""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from hub.accounts import services as account_services


@require_POST
def set_language(request):
    response = django_set_language(request)
    if request.user.is_authenticated:
        account_services.set_language(request.user, request.POST.get("language", ""))
    return response
