"""The editors' side of API keys: create (the key is shown once), change scopes, revoke."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from . import services
from .forms import ApiKeyForm
from .models import ApiKey

SESSION_KEY = "api:new-key"


def _state(key: ApiKey) -> str:
    return _("Revoked") if key.revoked_at else _("Active")


class ApiKeyCreateView(generic.CreateView):
    def form_valid(self, form):
        self.form = form
        try:
            key, raw = services.create_api_key(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                rate_per_minute=form.cleaned_data["rate_per_minute"],
                by=self.request.user,
            )
        except services.ApiKeyError as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        # Shown once, on the next page, then gone from the session: only its digest is kept.
        self.request.session[SESSION_KEY] = {"pk": key.pk, "key": raw}
        return redirect("api-keys:created", pk=key.pk)


class ApiKeyEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.revoked_at is None and self.request.user.has_perm("api.change_apikey"):
            buttons.append(
                Button(
                    _("Revoke"),
                    url=reverse("api-keys:revoke", args=[self.object.pk]),
                    icon_name="cross",
                    priority=5,
                )
            )
        return buttons


class ApiKeyCreatedView(WagtailAdminTemplateMixin, TemplateView):
    """The one time the full key is shown."""

    template_name = "api/admin/key_created.html"
    page_title = gettext_lazy("Your new API key")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("api.add_apikey"):
            raise PermissionDenied
        self.key = get_object_or_404(ApiKey, pk=kwargs["pk"])
        shown = request.session.get(SESSION_KEY) or {}
        if shown.get("pk") != self.key.pk:
            messages.warning(
                request,
                _(
                    "The key was shown once, when it was made. Revoke it and make a new one if it is lost."
                ),
            )
            return redirect("api-keys:edit", self.key.pk)
        self.raw = shown["key"]
        del request.session[SESSION_KEY]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            key=self.key,
            raw_key=self.raw,
            lookup_url=self.request.build_absolute_uri(reverse("api:member-lookup")),
            docs_url=reverse("api:docs"),
            edit_url=reverse("api-keys:edit", args=[self.key.pk]),
            index_url=reverse("api-keys:index"),
        )
        return context


class ApiKeyRevokeView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "api/admin/key_revoke.html"
    page_title = gettext_lazy("Revoke API key")
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("api.change_apikey"):
            raise PermissionDenied
        self.key = get_object_or_404(ApiKey, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.key)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(key=self.key, edit_url=reverse("api-keys:edit", args=[self.key.pk]))
        return context

    def post(self, request, *args, **kwargs):
        if services.revoke_api_key(self.key, by=request.user):
            messages.success(
                request,
                _("“%(key)s” is revoked: requests with it are refused.") % {"key": self.key},
            )
        else:
            messages.info(request, _("That key was already revoked."))
        return redirect("api-keys:index")


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = gettext_lazy("API keys")
    add_to_settings_menu = True
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("scopes"), FieldPanel("rate_per_minute")],
        base_form_class=ApiKeyForm,
    )
    list_display = [
        "name",
        Column("prefix", label=gettext_lazy("Key starts with")),
        Column("scopes", label=gettext_lazy("Scopes"), accessor=lambda k: ", ".join(k.scopes)),
        "rate_per_minute",
        "last_used_at",
        Column("state", label=gettext_lazy("State"), accessor=_state),
        "created",
    ]
    list_filter = ["created", "last_used_at"]
    search_fields = ["name", "prefix"]
    search_backend_name = None
    list_export = [
        "name",
        "prefix",
        "scopes",
        "rate_per_minute",
        "created",
        "last_used_at",
        "revoked_at",
    ]
    export_filename = "api-keys"
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "prefix",
        "scopes",
        "rate_per_minute",
        "created",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]  # fmt: skip  (never the digest)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("created/<int:pk>/", ApiKeyCreatedView.as_view(), name="created"),
            path("revoke/<int:pk>/", ApiKeyRevokeView.as_view(), name="revoke"),
        ]
