"""The editors' form for a webhook endpoint: where to send, and which events."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import sender
from .models import WebhookEndpoint
from .types import event_type_choices


class WebhookEndpointForm(WagtailAdminModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoint is sent these events, and no others."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event_types"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        refusal = sender.host_refusal(url)
        if refusal:
            raise forms.ValidationError(_(refusal))
        return url
