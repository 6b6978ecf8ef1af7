"""The editors' forms of the shop connection: rotating a secret and importing orders."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Shop


class RotateSecretForm(forms.Form):
    overlap_hours = forms.IntegerField(
        label=_("Keep the current secret working for (hours)"),
        min_value=0,
        max_value=720,
        initial=24,
        help_text=_(
            "Time for the shop to switch to the new secret; deliveries signed with either are "
            "accepted meanwhile. 0 stops the current secret at once (a leaked secret)."
        ),
    )


class ImportOrdersForm(forms.Form):
    shop = forms.ModelChoiceField(label=_("Shop"), queryset=Shop.objects.all(), empty_label=None)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row: order_id, email, status (created, paid, "
            "partially_refunded, refunded, cancelled), total, created_at, and optionally "
            "refunded, currency, paid_at, cancelled_at, sku, name, quantity, unit_price, "
            "discount_codes. One row per line item; at most 2 MB and 5,000 orders."
        ),
    )
