"""Forms of the forum and of story comments; each has a honeypot field bots fill in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.converters import MAX_ID
from hub.images import ImageKind, validate_image

from .models import Category, Flag, Subscription

BODY_HELP = _(
    "Markdown works: **bold**, _italic_, `code`, ``` fenced code blocks ```, > quotes, lists and "
    "links. Mention someone with @username."
)


# An image attached to a post; services.create_topic/create_reply store it re-encoded.
FORUM_IMAGE = ImageKind(
    "COMMUNITY_IMAGE",
    too_large=_("That file is %(size)s; images can be at most %(max)s."),
    unreadable=_("That file is not an image we can read. Attach a JPEG, PNG, GIF or WebP picture."),
    bad_format=_("%(format)s images are not accepted. Attach a JPEG, PNG, GIF or WebP picture."),
    too_big=_("That image is %(w)s×%(h)s pixels; images need %(min)s to %(max)s pixels a side."),
    too_small=_("That image is %(w)s×%(h)s pixels; images need %(min)s to %(max)s pixels a side."),
)


def validate_post_image(upload) -> None:
    validate_image(upload, FORUM_IMAGE)


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS and aria-hidden; simple bots fill in every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("We could not post that. Please try again."))
        return ""


class PostFormMixin(HoneypotMixin):
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    image = forms.ImageField(
        label=_("Attach an image"),
        required=False,
        validators=[validate_post_image],
        help_text=_("JPEG, PNG, GIF or WebP, up to 5 MB."),
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting."))
        return body


class TopicForm(PostFormMixin):
    title = forms.CharField(label=_("Title"), max_length=150)
    field_order = ["title", "body", "image", "website"]


class ReplyForm(PostFormMixin):
    reply_to = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


class EditPostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    body = forms.CharField(
        label=_("Message"), max_length=20_000, help_text=BODY_HELP, widget=forms.Textarea
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should moderators look at this?"),
        choices=Flag.REASONS,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Anything to add?"), max_length=500, required=False)


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class MoveTopicForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Move to"), queryset=Category.objects.all())
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class MergeTopicForm(forms.Form):
    into = forms.IntegerField(
        label=_("Merge into topic number"),
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The number in the other topic's address: /community/t/<number>/…"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class SubscriptionForm(forms.Form):
    level = forms.ChoiceField(choices=[("", _("Normal"))] + Subscription.LEVELS, required=False)


class CommentForm(HoneypotMixin):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=3000,
        help_text=_("Markdown works: **bold**, _italic_, `code`, > quotes and links."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    followup = forms.BooleanField(
        label=_("Notify me of replies in this conversation"), required=False, initial=True
    )

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something before posting."))
        return body
