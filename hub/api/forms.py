"""The editors' form for API keys: a name, the scopes it may use, its rate limit."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import ApiKey
from .scopes import scope_choices


class ApiKeyForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give a key only what its integration needs; any other call is refused."),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "rate_per_minute"]

    def clean_rate_per_minute(self):
        rate = self.cleaned_data["rate_per_minute"]
        if rate < 1:
            raise forms.ValidationError(_("Allow at least one request a minute."))
        return rate
