"""Profile pages: the public profile, editing your own, and deleting your account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.composer import members_only, rate_limited
from hub.errors import Refusal
from hub.ratelimit import Limit
from hub.redirects import redirect_back

from . import queries, services
from .forms import DeleteAccountForm, ProfileForm
from .models import User


def profile(request, username: str):
    member = get_object_or_404(User, username=username, is_active=True)
    return render(request, "accounts/profile.html", {"member": member})


SUGGEST_LIMIT = Limit("accounts.suggest", per_hour=1200, kind="action")


@require_GET
@members_only
def suggest_members(request):
    """Members whose username or display name starts with ``q``, for the composer's @mention
    suggestions: a few, as JSON, only names a mention can link (hub.mentions)."""
    if limited := rate_limited(request, SUGGEST_LIMIT):
        return limited
    found = queries.members_to_mention(request.GET.get("q", ""), by=request.user)
    return JsonResponse(
        {
            "results": [
                {
                    "username": member.username,
                    "name": member.public_name,
                    "avatar": member.avatar_thumbnail.url if member.avatar_thumbnail else "",
                    "initials": member.initials,
                }
                for member in found
            ]
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=user)
        if form.is_valid():
            try:
                services.update_profile(
                    user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    avatar=form.cleaned_data.get("avatar") or None,
                    remove_avatar=form.cleaned_data["remove_avatar"],
                    show_on_leaderboard=form.cleaned_data["show_on_leaderboard"],
                    language=form.cleaned_data.get("language") or None,
                )
            except Refusal as refused:
                form.add_error("avatar", refused.message)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("accounts:profile_edit")
        # The form shows what was typed, with the errors; validation copied the typed name onto
        # request.user, so reload what is saved for the header and the avatar on screen.
        user.refresh_from_db(
            fields=[
                "display_name",
                "bio",
                "avatar",
                "avatar_thumbnail",
                "show_on_leaderboard",
                "language",
            ]
        )
    else:
        form = ProfileForm(instance=user)
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)
        messages.success(request, _("Your account and profile have been deleted. Goodbye!"))
        return redirect("/")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
@require_POST
def dismiss_welcome(request):
    """Close the new-member welcome (without JavaScript: back to the page it was on)."""
    services.dismiss_welcome(by=request.user)
    return redirect_back(request, fallback="/")
