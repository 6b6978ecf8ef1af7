"""The editors' forms: manual awards and deductions, referral reviews, perks and their codes."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Perk


class AdjustPointsForm(forms.Form):
    username = forms.CharField(label=_("Member's username"), max_length=150)
    points = forms.IntegerField(
        label=_("Points"),
        help_text=_("Positive to award, negative to deduct."),
        min_value=-100_000,
        max_value=100_000,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=255, help_text=_("The member sees this in their history.")
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("No member is called %(name)s.") % {"name": username})
        self.member = user
        return username

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise forms.ValidationError(_("Enter a number of points other than zero."))
        return points


class ReferralReviewForm(forms.Form):
    """An editor's decision on a flagged referral, with the reason kept in its history."""

    CLEAR, REJECT = "clear", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (
                CLEAR,
                _(
                    "Genuine: clear the flag. It qualifies once the new member meets the conditions."
                ),
            ),
            (REJECT, _("Self-referral: reject it. It never earns points.")),
        ],
    )
    reason = forms.CharField(
        label=_("Why"), max_length=255, help_text=_("Kept in the referral's history.")
    )


class PerkAdminForm(WagtailAdminModelForm):
    """The editors' perk form: a slug from the title, a sane window, and never less stock than
    has already been redeemed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The perk's address: /perks/…/. Leave empty to make one from the title."
            )

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:50].strip("-")
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end <= start:
            self.add_error("available_until", _("The end must come after the start."))
        stock = data.get("stock")
        if stock is not None and self.instance.pk:
            redeemed = Perk.objects.filter(pk=self.instance.pk).values_list(
                "redeemed_count", flat=True
            )[0]
            if stock < redeemed:
                self.add_error(
                    "stock",
                    ngettext(
                        "%(count)d has already been redeemed: the stock cannot be lower.",
                        "%(count)d have already been redeemed: the stock cannot be lower.",
                        redeemed,
                    )
                    % {"count": redeemed},
                )
        return data

    def save(self, commit=True):
        if not commit or self.instance._state.adding:
            return super().save(commit=commit)
        with transaction.atomic():
            # Members may have redeemed it while the form was open: keep their count, never the
            # form's stale copy, and never let the stock fall below it.
            redeemed = (
                Perk.objects.select_for_update()
                .values_list("redeemed_count", flat=True)
                .get(pk=self.instance.pk)
            )
            self.instance.redeemed_count = redeemed
            if self.instance.stock is not None and self.instance.stock < redeemed:
                self.instance.stock = redeemed
            return super().save(commit=commit)


class ImportPerkCodesForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or text file"),
        help_text=_(
            "One code per line, or the codes in the first column; a header row is fine. "
            "At most 1 MB. Codes already in the pool are skipped."
        ),
    )
