"""The preferences form: one choice per registered kind."""

from django import forms

from .kinds import CHANNEL_CHOICES, all_kinds
from .models import NotificationPreference


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = NotificationPreference.CHANNEL_LABELS
        for kind in all_kinds():
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.description,
                choices=[(c, labels[c]) for c in CHANNEL_CHOICES],
                initial=current.get(kind.code, kind.default_channel),
                widget=forms.RadioSelect,
            )
