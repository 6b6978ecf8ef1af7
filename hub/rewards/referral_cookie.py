"""The HTTP side of referrals: the cookie a share link sets and sign-up reads, and the visitor's IP."""

from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied

COOKIE_NAME = "hub_referral"
COOKIE_SALT = "hub.rewards.referral"
COOKIE_MAX_AGE = int(timedelta(days=30).total_seconds())


def remember_referral(request, response, code: str) -> None:
    """Keep the referrer's code for 30 days; signed, so a visitor cannot make one up."""
    response.set_signed_cookie(
        COOKIE_NAME,
        code,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def referral_code_from(request) -> str:
    """The code a share link remembered, or "" (no cookie, tampered with, or expired)."""
    if request is None:
        return ""
    return request.get_signed_cookie(
        COOKIE_NAME, default="", salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
    )


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or X-Forwarded-For only behind proxies the site trusts
    (ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER, as for allauth's rate limits)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None
