"""Orders kept for an address attach to the member who verifies it (allauth's signal, sent
from allauth's own confirmation view)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import attach_orders


@receiver(email_confirmed)
def attach_orders_on_verification(sender, request, email_address, **kwargs):
    attach_orders(email_address.user, email_address.email)
