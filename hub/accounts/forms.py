"""Forms for a member's own profile and for deleting the account."""

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from hub.images import ImageKind, validate_image

from .models import User


def language_choices() -> list[tuple[str, str]]:
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


# A member's picture; services.update_profile stores it as square WebP files.
AVATAR = ImageKind(
    "AVATAR",
    too_large=_("That file is %(size)s; avatars can be at most %(max)s."),
    unreadable=_("That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture."),
    bad_format=_("%(format)s images are not accepted. Upload a JPEG, PNG, GIF or WebP picture."),
    too_big=_("That image is %(w)s×%(h)s pixels; avatars can be at most %(max)s pixels on a side."),
    too_small=_(
        "That image is %(w)s×%(h)s pixels; avatars need at least %(min)s pixels on a side."
    ),
)


class ProfileForm(forms.ModelForm):
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("A JPEG, PNG, GIF or WebP picture, up to 5 MB. We crop it to a square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    class Meta:
        model = User
        fields = ["display_name", "bio", "language", "show_on_leaderboard"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name (an autonym): a reader finds theirs whatever is shown.
        self.fields["language"].choices = language_choices()
        self.fields["language"].required = False
        if not self.instance.language:
            self.initial["language"] = get_language()

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if upload:
            validate_image(upload, AVATAR)
        return upload


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm. This cannot be undone."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form with a label that says what the field accepts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or e-mail")
