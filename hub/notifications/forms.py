"""The preferences form: one choice per registered kind, and one per area to set them all."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import CHANNEL_CHOICES, DIGEST, EMAIL, INAPP, OFF, kinds_by_area
from .models import NotificationPreference

MIXED = ""
AREA_CHOICES = [
    (EMAIL, _("All on")),
    (DIGEST, _("Daily summary only")),
    (INAPP, _("On the site only")),
    (OFF, _("All off")),
    (MIXED, _("As chosen one by one")),
]


def area_field_name(area: str) -> str:
    return f"area-{area}"


class PreferencesForm(forms.Form):
    """Each area (forum, reviews and ideas, events, …) has an "all on / daily summary only / on the
    site only / all off" choice above its kinds. Without JavaScript both post: an area choice the member changed
    applies to every kind in it, otherwise each kind keeps the choice made for it."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = NotificationPreference.CHANNEL_LABELS
        self.areas = []
        for area, label, kinds in kinds_by_area():
            channels = {current.get(k.code, k.default_channel) for k in kinds}
            was = channels.pop() if len(channels) == 1 else MIXED
            name = area_field_name(area)
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=AREA_CHOICES,
                initial=was,
                required=False,
                widget=forms.RadioSelect,
            )
            for kind in kinds:
                self.fields[kind.code] = forms.ChoiceField(
                    label=kind.label,
                    help_text=kind.description,
                    choices=[(c, labels[c]) for c in CHANNEL_CHOICES],
                    initial=current.get(kind.code, kind.default_channel),
                    widget=forms.RadioSelect,
                )
            self.areas.append((area, name, was, [k.code for k in kinds]))

    def grouped(self):
        """For the template: (area choice, [its kinds' choices], whether they differ)."""
        return [
            (self[name], [self[code] for code in codes], was == MIXED)
            for _area, name, was, codes in self.areas
        ]

    def channels(self) -> dict[str, str]:
        """The channel per kind after applying any area choice the member changed."""
        chosen = {}
        for _area, name, was, codes in self.areas:
            area_choice = self.cleaned_data.get(name) or MIXED
            for code in codes:
                if area_choice != MIXED and area_choice != was:
                    chosen[code] = area_choice
                else:
                    chosen[code] = self.cleaned_data[code]
        return chosen
