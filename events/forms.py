"""Forms: the editors' event form (times entered in the event's zone) and the members' RSVP form."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from hub.markup import plain_text

LOCAL_TIME_FIELDS = ["starts_at", "ends_at", "rsvp_opens_at", "rsvp_closes_at"]


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def wall_clock_in_zone(value, zone_name: str):
    """``value`` as the form parsed it (in the editor's zone) re-read as wall-clock time at the
    event: 19:00 typed for a Tbilisi event is 19:00 in Tbilisi."""
    current = timezone.get_current_timezone()
    wall_clock = timezone.make_naive(value, current) if timezone.is_aware(value) else value
    return wall_clock.replace(tzinfo=_zone(zone_name))


class EventPageForm(WagtailAdminPageForm):
    """Editors type the wall-clock time at the venue: 19:00 in Tbilisi means 19:00 there, whatever
    time zone the editor's own browser or admin profile is in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance is not None and instance.pk:
            zone = _zone(instance.time_zone)
            for name in LOCAL_TIME_FIELDS:
                value = getattr(instance, name, None)
                if value is not None and name in self.fields:
                    self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone") or "UTC"
        for name in LOCAL_TIME_FIELDS:
            value = cleaned.get(name)
            if value is not None:
                cleaned[name] = wall_clock_in_zone(value, zone_name)
        return cleaned


class RSVPForm(forms.Form):
    """Guests and the editors' questions; the one-click RSVP is this form with its defaults."""

    guests = forms.TypedChoiceField(label=_("Guests"), coerce=int, empty_value=0, required=False)
    listed = forms.BooleanField(label=_("Show me in “Who’s going”"), required=False)

    def __init__(self, *args, event, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.questions = list(questions)
        if event.max_guests:
            self.fields["guests"].choices = [(n, str(n)) for n in range(event.max_guests + 1)]
            self.fields["guests"].help_text = _("People coming with you, who take a seat each.")
        else:
            del self.fields["guests"]
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = forms.CharField(
                label=question.label,
                help_text=question.help_text,
                required=question.required,
                max_length=500,
                widget=forms.TextInput(attrs={"maxlength": 500}),
            )

        # The opt-in to "Who's going" comes after the questions, just above the button.
        self.fields["listed"] = self.fields.pop("listed")

    def answers(self) -> dict[str, str]:
        """Each answered question's label and the answer as plain text (hub.markup)."""
        answers = {}
        for question in self.questions:
            text = plain_text(self.cleaned_data.get(f"q_{question.pk}", ""), limit=500)
            if text:
                answers[question.label] = text
        return answers

    def guest_count(self) -> int:
        return int(self.cleaned_data.get("guests") or 0)

    def wants_listing(self) -> bool:
        return bool(self.cleaned_data.get("listed"))


class MessageAttendeesForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
        help_text=_(
            "Sent as a notification to everyone going (and by e-mail to those who chose it)."
        ),
    )
    include_waitlist = forms.BooleanField(label=_("Also tell the waitlist"), required=False)


class SeriesForm(forms.Form):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    count = forms.IntegerField(
        label=_("Number of further sessions"), min_value=1, max_value=52, initial=4
    )
    interval = forms.ChoiceField(
        label=_("Repeat"),
        choices=[
            (WEEKLY, _("Every week")),
            (FORTNIGHTLY, _("Every two weeks")),
            (MONTHLY, _("Every month (same weekday and week)")),
        ],
    )
    publish = forms.BooleanField(
        label=_("Publish the new sessions"),
        required=False,
        help_text=_("Unticked: they are created as drafts to review first."),
    )


class CheckInSearchForm(forms.Form):
    q = forms.CharField(label=_("Find an attendee"), max_length=100, required=False)
