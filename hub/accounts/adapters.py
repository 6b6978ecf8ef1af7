"""allauth hooks: whether sign-up is open is an environment switch (SIGNUP_OPEN); a new member's
language is the one they signed up in (the address, the cookie or the browser's)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from hub.i18n import supported


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "SIGNUP_OPEN", True)

    def save_user(self, request, user, form, commit=True):
        user.language = supported(translation.get_language()) or settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)
