"""Notification pages: the list, opening and marking read, preferences, one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hub.redirects import redirect_back

from . import queries, services
from .emails import read_unsubscribe_token
from .forms import PreferencesForm
from .kinds import get_kind
from .models import Notification, NotificationPreference

PER_PAGE = 20


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request, fallback: str = "notifications:list"):
    return redirect_back(request, fallback=fallback)


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("filter") == "unread"
    paginator = Paginator(
        queries.notifications_page_queryset(request.user, unread_only=unread_only), PER_PAGE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page_obj,
            "unread_only": unread_only,
            "extra_query": "filter=unread" if unread_only else "",
        },
    )


@login_required
@require_GET
def notification_open(request, pk: int):
    """Follow a notification to what it is about, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, [notification.pk])
    if notification.url.startswith("/") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, [notification.pk])
    if _wants_json(request):
        return JsonResponse({"unread": queries.unread_count(request.user)})
    return _back(request)


@login_required
@require_POST
def notification_mark_all_read(request):
    changed = services.mark_all_read(request.user)
    if _wants_json(request):
        return JsonResponse({"unread": 0, "changed": changed})
    messages.success(request, _("All notifications are marked read."))
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("kind", "channel")
    )
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(request.user, form.channels())
        messages.success(request, _("Your notification preferences have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        user_id, kind = read_unsubscribe_token(token)
        if kind:
            get_kind(kind)
    except (signing.BadSignature, LookupError, KeyError, ValueError):
        return HttpResponseBadRequest(_("This unsubscribe link is not valid."))
    user = get_object_or_404(get_user_model(), pk=user_id)
    kind_label = get_kind(kind).label if kind else None
    if request.method == "POST":
        services.unsubscribe(user, kind)
        return render(request, "notifications/unsubscribed.html", {"kind_label": kind_label})
    # A GET only asks: mail scanners follow links, and must not unsubscribe anyone.
    return render(
        request, "notifications/unsubscribe.html", {"kind_label": kind_label, "token": token}
    )
