"""allauth hooks: whether sign-up is open is an environment switch (SIGNUP_OPEN); allauth's
e-mails (verification, password reset…) speak in the brand's name from Settings › Brand and
point at the site's real address (BASE_URL), never django.contrib.sites' "example.com"; a new
member's language is the one they signed up in (the address, the cookie or the browser's)."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.encoding import force_str
from wagtail.models import Site

from hub.i18n import supported


def brand_site(request=None) -> SimpleNamespace:
    """What allauth's e-mail templates read as ``current_site``: the brand's name and the host
    the site is served at."""
    site = (Site.find_for_request(request) if request is not None else None) or (
        Site.objects.filter(is_default_site=True).first()
    )
    # Looked up by name: hub.content depends on hub.accounts (authors, profiles), not back.
    brand_settings = apps.get_model("content", "BrandSettings")
    name = brand_settings.for_site(site).brand_name if site else ""
    return SimpleNamespace(
        name=name or settings.WAGTAIL_SITE_NAME,
        domain=urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc,
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "SIGNUP_OPEN", True)

    def save_user(self, request, user, form, commit=True):
        user.language = supported(translation.get_language()) or settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        brand = brand_site(getattr(allauth_context, "request", None))
        super().send_mail(template_prefix, email, {"current_site": brand, **context})

    def format_email_subject(self, subject: str) -> str:
        brand = brand_site(getattr(allauth_context, "request", None))
        return f"[{brand.name}] {force_str(subject)}"
