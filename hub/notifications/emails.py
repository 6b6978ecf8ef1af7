"""E-mail for notifications: one message, or a digest when several arrived within the window."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hub.i18n import language_of, localized_path

UNSUBSCRIBE_SALT = "hub.notifications.unsubscribe"
ALL_KINDS = "*"


def unsubscribe_token(user_id: int, kind: str | None) -> str:
    return signing.dumps(
        {"u": user_id, "k": kind or ALL_KINDS}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> tuple[int, str | None]:
    """(user id, kind or None for all); raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    kind = data["k"]
    return int(data["u"]), (None if kind == ALL_KINDS else kind)


def absolute(path: str) -> str:
    """The full address of ``path``, in the active language (``/he/…`` for a Hebrew reader)."""
    if path.startswith(("http://", "https://")):
        return path
    path = localized_path(path, translation.get_language() or settings.LANGUAGE_CODE)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def build_message(user, notifications: list, *, daily: bool = False) -> EmailMultiAlternatives:
    """The e-mail, in the recipient's language whichever process sends it; ``daily`` when it is
    the member's daily summary alone."""
    language = language_of(user)
    with translation.override(language):
        message = _build_message(user, notifications, daily=daily)
    message.extra_headers["Content-Language"] = language
    return message


def _build_message(user, notifications: list, *, daily: bool) -> EmailMultiAlternatives:
    kinds = {n.kind for n in notifications}
    kind = kinds.pop() if len(kinds) == 1 else None
    unsubscribe_url = absolute(
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user.pk, kind)})
    )
    if daily:
        subject = ngettext(
            "Your daily summary: %(count)d notification",
            "Your daily summary: %(count)d notifications",
            len(notifications),
        ) % {"count": len(notifications)}
    elif len(notifications) == 1:
        subject = notifications[0].text
    else:
        subject = ngettext(
            "%(count)d new notification", "%(count)d new notifications", len(notifications)
        ) % {"count": len(notifications)}
    context = {
        "user": user,
        "notifications": [
            {
                "text": n.text,
                "url": absolute(n.url) if n.url else "",
                "kind_label": n.kind_label,
                "created": n.created,
            }
            for n in notifications
        ],
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_label": (
            _("Stop these e-mails") if kind else _("Stop all notification e-mails")
        ),
        "preferences_url": absolute(reverse("notifications:preferences")),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.WAGTAIL_SITE_NAME}] {subject}",
        body=render_to_string("notifications/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/email/digest.html", context), "text/html"
    )
    return message
