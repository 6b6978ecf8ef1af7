"""Member forms: a review, an idea, a comment, a report, a survey answer; and the editors' forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.images import ImageKind, validate_image

from .models import Idea, IdeaCategory
from .services import MAX_PHOTOS

STAR_CHOICES = [(n, n) for n in range(5, 0, -1)]


# A photo added to a review; services.submit_review stores it re-encoded.
REVIEW_PHOTO = ImageKind(
    "FEEDBACK_PHOTO",
    too_large=_("%(name)s is %(size)s; photos can be at most %(max)s."),
    unreadable=_("%(name)s is not an image we can read. Upload JPEG, PNG, GIF or WebP photos."),
    bad_format=_("%(format)s images are not accepted. Upload JPEG, PNG, GIF or WebP photos."),
    too_big=_("That photo is %(w)s×%(h)s pixels; photos can be at most %(max)s pixels on a side."),
    too_small=_("That photo is %(w)s×%(h)s pixels; photos need at least %(min)s pixels on a side."),
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Add at most %(max)d photos.") % {"max": MAX_PHOTOS}, code="too_many"
            )
        errors = []
        for upload in files:
            try:
                validate_image(upload, REVIEW_PHOTO)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5 stars."),
            "invalid_choice": _("Choose a rating from 1 to 5 stars."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=140,
        error_messages={"required": _("Give your review a title.")},
    )
    body = forms.CharField(
        label=_("Your review"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        help_text=_("What did you like or dislike? Markdown works: **bold**, lists, links."),
        error_messages={"required": _("Write a few words about the product.")},
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 4 JPEG, PNG, GIF or WebP photos, at most 8 MB each."),
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write a few words about the product."))
        return body


class ReportForm(forms.Form):
    REASONS = [
        ("spam", _("Spam or advertising")),
        ("offensive", _("Offensive or abusive")),
        ("off_topic", _("Not about this product")),
        ("fake", _("Looks fake or paid for")),
        ("personal", _("Shares someone's personal details")),
        ("other", _("Something else")),
    ]
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=REASONS)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _(
                "The details are too long: write at most %(limit_value)d characters "
                "(you wrote %(show_value)d)."
            )
        },
    )

    def refusal(self, choose: str) -> str:
        """Why the report was not sent, for the member: what is wrong with the details if that
        is the trouble, otherwise ``choose`` (asking them to choose a reason)."""
        if self.has_error("details"):
            return " ".join(self.errors["details"])
        return choose

    def reason_text(self) -> str:
        label = dict(self.REASONS)[self.cleaned_data["reason"]]
        details = self.cleaned_data.get("details", "").strip()
        return f"{label}: {details}" if details else str(label)


class IdeaForm(forms.Form):
    title = forms.CharField(
        label=_("Your idea in a sentence"),
        max_length=140,
        error_messages={"required": _("Give your idea a title.")},
    )
    description = forms.CharField(
        label=_("Tell us more"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_("What problem would it solve for you? Markdown works."),
        error_messages={"required": _("Describe your idea.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=IdeaCategory.objects.all(), required=False
    )
    # A honeypot: people never see it, form-filling bots do.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        # Out of the tab order: it sits in an aria-hidden box, which must hold nothing focusable.
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_description(self):
        text = self.cleaned_data["description"]
        if not text.strip():
            raise forms.ValidationError(_("Describe your idea."))
        return text

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Add a comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5_000,
        error_messages={"required": _("Write a comment first.")},
    )


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label="",
        choices=[(n, n) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )
    comment = forms.CharField(
        label="", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5_000
    )


# --- Editors -----------------------------------------------------------------------------------
class ModerateReviewForm(forms.Form):
    """The review's admin page: verify, reply, feature, and moderate."""

    KEEP, APPROVE, REJECT, HIDE, DISMISS = "", "approve", "reject", "hide", "dismiss"
    reply = forms.CharField(
        label=_("Public reply from the brand"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown under the review; the reviewer is notified the first time."),
    )
    verified = forms.BooleanField(label=_("Verified customer"), required=False)
    feature = forms.BooleanField(
        label=_("Feature as a testimonial on the home page"), required=False
    )
    decision = forms.ChoiceField(
        label=_("Moderation"),
        required=False,
        choices=[
            (KEEP, _("No change")),
            (APPROVE, _("Approve and publish")),
            (REJECT, _("Reject")),
            (HIDE, _("Hide")),
            (DISMISS, _("Dismiss reports")),
        ],
    )
    reason = forms.CharField(label=_("Reason (told to the author)"), required=False, max_length=255)

    def clean(self):
        data = super().clean()
        if data.get("decision") in (self.REJECT, self.HIDE) and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why: the author is told."))
        return data


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in Idea.STATUS_CHOICES if c[0] != Idea.MERGED]
    )
    note = forms.CharField(
        label=_("Public note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown on the idea and sent to its author and every voter."),
    )
    merge_into = forms.ModelChoiceField(
        label=_("Or merge it into"),
        queryset=Idea.objects.exclude(status=Idea.MERGED),
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": _("Idea number")}),
        help_text=_(
            "The number of the idea that survives: votes move there, each voter counted once."
        ),
        error_messages={"invalid_choice": _("There is no open idea with that number.")},
    )


class ImportCustomersForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One customer per row: e-mail address, optionally a product slug second. "
            "A header row “email,product” is skipped."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 CSV and try again.")) from None
