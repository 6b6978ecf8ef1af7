"""Reactions to allauth's events, which happen inside allauth's views rather than our services."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from hub.rewards.referral_cookie import client_ip, referral_code_from
from hub.rewards.services import award, check_referral_qualification, record_referral
from hub.webhooks import payloads
from hub.webhooks.services import emit


@receiver(email_confirmed)
def award_verified_email(sender, request, email_address, **kwargs):
    award(email_address.user, "accounts.email.verified", source=email_address)
    check_referral_qualification(email_address.user)


@receiver(user_signed_up)
def record_signup_referral(sender, request, user, **kwargs):
    code = referral_code_from(request)
    referral = record_referral(user, code=code, ip=client_ip(request)) if code else None
    emit(
        "member.joined",
        lambda: {
            "member": {**payloads.member(user), "joined": user.date_joined},
            "referred_by": payloads.member(referral.referrer) if referral else None,
        },
    )
