"""Orders kept for an address attach to the member who verifies it (allauth's signal, sent
from allauth's own confirmation view); a deleted member's orders become their addresses'
again, and so do their purchase summaries."""

from allauth.account.signals import email_confirmed
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from . import summaries
from .models import Order
from .services import attach_orders


@receiver(email_confirmed)
def attach_orders_on_verification(sender, request, email_address, **kwargs):
    attach_orders(email_address.user, email_address.email)


@receiver(pre_delete, sender=get_user_model())
def remember_addresses_of_deleted_member(sender, instance, **kwargs):
    """The member's orders stay (their member is set to none): note their addresses, whose
    customers gain them once the member is gone (their own summary goes with them)."""
    instance._shop_order_emails = list(
        Order.objects.filter(member=instance).values_list("email", flat=True).distinct()
    )


@receiver(post_delete, sender=get_user_model())
def summarise_orders_of_deleted_member(sender, instance, **kwargs):
    # Django set the orders' member to none before deleting the member, in this transaction.
    emails = getattr(instance, "_shop_order_emails", None)
    if emails:
        with transaction.atomic():
            summaries.refresh([(None, email) for email in emails])


@receiver(post_delete, sender=Order)
def summarise_without_deleted_order(sender, instance, **kwargs):
    """An order deleted by hand (the admin): its customer's summary and month without it."""
    with transaction.atomic():
        summaries.refresh(
            [(instance.member_id, instance.email)], [summaries.month_of(instance.placed_at)]
        )
