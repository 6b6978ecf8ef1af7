"""The editors' side of outgoing webhooks: endpoints (secret shown once, pause, resume, rotate,
test) and the delivery log (status, response time, the start of the answer, replay)."""

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

from hub.adminkit import NoAddView, NoEditView, ReadOnlyListingMixin

from . import services
from .delivery import body_of
from .forms import WebhookEndpointForm
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

SESSION_KEY = "webhooks:new-secret"


def _endpoint_state(endpoint: WebhookEndpoint) -> str:
    return _("Paused") if endpoint.paused_at else _("Active")


# --- Endpoints -----------------------------------------------------------------------------------
class EndpointCreateView(generic.CreateView):
    def form_valid(self, form):
        self.form = form
        try:
            endpoint, secret = services.create_endpoint(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                by=self.request.user,
            )
        except services.WebhookError as refusal:
            form.add_error("url", refusal.message)
            return self.form_invalid(form)
        self.request.session[SESSION_KEY] = {"pk": endpoint.pk, "secret": secret}
        return redirect("webhook-endpoints:secret", pk=endpoint.pk)


class EndpointEditView(generic.EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if not self.request.user.has_perm("webhooks.change_webhookendpoint"):
            return buttons
        pk = self.object.pk
        if self.object.paused_at:
            buttons.append(
                Button(
                    _("Resume"),
                    url=reverse("webhook-endpoints:resume", args=[pk]),
                    icon_name="resubmit",
                    priority=5,
                )
            )
        else:
            buttons.append(
                Button(
                    _("Pause"),
                    url=reverse("webhook-endpoints:pause", args=[pk]),
                    icon_name="pause",
                    priority=5,
                )
            )
        buttons.append(
            Button(
                _("Send a test event"),
                url=reverse("webhook-endpoints:test", args=[pk]),
                icon_name="mail",
                priority=6,
            )
        )
        buttons.append(
            Button(
                _("Rotate the secret"),
                url=reverse("webhook-endpoints:rotate", args=[pk]),
                icon_name="key",
                priority=7,
            )
        )
        buttons.append(
            Button(
                _("Deliveries"),
                url=reverse("webhook-deliveries:index") + f"?endpoint={pk}",
                icon_name="list-ul",
                priority=8,
            )
        )
        return buttons


class EndpointSecretView(WagtailAdminTemplateMixin, TemplateView):
    """The one time a signing secret is shown (after creating the endpoint or rotating it)."""

    template_name = "webhooks/admin/endpoint_secret.html"
    page_title = gettext_lazy("Signing secret")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("webhooks.change_webhookendpoint"):
            raise PermissionDenied
        self.endpoint = get_object_or_404(WebhookEndpoint, pk=kwargs["pk"])
        shown = request.session.get(SESSION_KEY) or {}
        if shown.get("pk") != self.endpoint.pk:
            messages.warning(
                request,
                _("The secret was shown once. Rotate it to get a new one if it is lost."),
            )
            return redirect("webhook-endpoints:edit", self.endpoint.pk)
        self.secret = shown["secret"]
        del request.session[SESSION_KEY]
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.endpoint)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            endpoint=self.endpoint,
            secret=self.secret,
            edit_url=reverse("webhook-endpoints:edit", args=[self.endpoint.pk]),
        )
        return context


class EndpointActionView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then do one thing to an endpoint: pause, resume, rotate its secret, test it."""

    template_name = "webhooks/admin/endpoint_action.html"
    header_icon = "link"
    action = ""
    TEXTS = {
        "pause": (
            gettext_lazy("Pause endpoint"),
            gettext_lazy(
                "Nothing is sent to it while it is paused; its deliveries wait and go out when you resume it."
            ),
            gettext_lazy("Pause"),
        ),
        "resume": (
            gettext_lazy("Resume endpoint"),
            gettext_lazy(
                "Its failure count starts afresh and every delivery that waited goes out now."
            ),
            gettext_lazy("Resume"),
        ),
        "rotate": (
            gettext_lazy("Rotate the signing secret"),
            gettext_lazy(
                "A new secret is made and shown once. For 24 hours deliveries carry signatures with both the old and the new secret, so the receiver can switch over."
            ),
            gettext_lazy("Make a new secret"),
        ),
        "test": (
            gettext_lazy("Send a test event"),
            gettext_lazy(
                "A signed “webhook.test” delivery is sent to this endpoint only; it shows in its deliveries."
            ),
            gettext_lazy("Send"),
        ),
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("webhooks.change_webhookendpoint"):
            raise PermissionDenied
        self.endpoint = get_object_or_404(WebhookEndpoint, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.TEXTS[self.action][0]

    def get_page_subtitle(self):
        return str(self.endpoint)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _title, text, button = self.TEXTS[self.action]
        context.update(
            endpoint=self.endpoint,
            text=text,
            button=button,
            edit_url=reverse("webhook-endpoints:edit", args=[self.endpoint.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        endpoint, user = self.endpoint, request.user
        edit = redirect("webhook-endpoints:edit", endpoint.pk)
        try:
            if self.action == "pause":
                services.pause_endpoint(endpoint, by=user)
                messages.success(request, _("The endpoint is paused."))
            elif self.action == "resume":
                waiting = services.resume_endpoint(endpoint, by=user)
                messages.success(
                    request,
                    _("The endpoint is active again; %(count)d waiting deliveries are being sent.")
                    % {"count": waiting},
                )
            elif self.action == "rotate":
                secret = services.rotate_secret(endpoint, by=user)
                request.session[SESSION_KEY] = {"pk": endpoint.pk, "secret": secret}
                return redirect("webhook-endpoints:secret", pk=endpoint.pk)
            elif self.action == "test":
                delivery = services.send_test_event(endpoint, by=user)
                messages.success(request, _("Test event sent."))
                return redirect("webhook-deliveries:inspect", delivery.pk)
        except services.WebhookError as refusal:
            messages.error(request, refusal.message)
        return edit


class EndpointIndexView(generic.IndexView):
    pass


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link"
    menu_label = gettext_lazy("Webhook endpoints")
    add_to_settings_menu = True
    index_view_class = EndpointIndexView
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    edit_handler = ObjectList(
        [FieldPanel("url"), FieldPanel("description"), FieldPanel("event_types")],
        base_form_class=WebhookEndpointForm,
    )
    list_display = [
        "url",
        "description",
        Column("events", label=gettext_lazy("Events"), accessor=lambda e: ", ".join(e.event_types)),
        Column("state", label=gettext_lazy("State"), accessor=_endpoint_state),
        "last_status_code",
        "consecutive_failures",
        "last_attempt_at",
    ]
    search_fields = ["url", "description"]
    search_backend_name = None
    copy_view_enabled = False

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("secret/<int:pk>/", EndpointSecretView.as_view(), name="secret"),
            *[
                path(f"{action}/<int:pk>/", EndpointActionView.as_view(action=action), name=action)
                for action in ("pause", "resume", "rotate", "test")
            ],
        ]


# --- Deliveries ----------------------------------------------------------------------------------
class DeliveryIndexView(ReadOnlyListingMixin, generic.IndexView):
    rows_link_to_edit = False  # a record of what was sent; its page is the inspect view

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("endpoint")


class DeliveryInspectView(generic.InspectView):
    template_name = "webhooks/admin/delivery_inspect.html"

    def get_fields(self):
        return [
            "message_id",
            "event_type",
            "endpoint",
            "state",
            "attempts",
            "created",
            "next_attempt_at",
        ]

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perm("webhooks.change_webhookdelivery"):
            buttons.append(
                Button(
                    _("Replay"),
                    url=reverse("webhook-deliveries:replay", args=[self.object.pk]),
                    icon_name="resubmit",
                    priority=5,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempt_log"] = list(
            WebhookAttempt.objects.filter(delivery=self.object).order_by("-id")[:50]
        )
        context["payload"] = body_of(self.object).decode()
        return context


class DeliveryReplayView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "webhooks/admin/delivery_replay.html"
    page_title = gettext_lazy("Replay delivery")
    header_icon = "resubmit"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("webhooks.change_webhookdelivery"):
            raise PermissionDenied
        self.delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("endpoint"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.delivery)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            delivery=self.delivery,
            inspect_url=reverse("webhook-deliveries:inspect", args=[self.delivery.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.replay_delivery(self.delivery, by=request.user)
        except services.WebhookError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("The delivery is being sent again."))
        return redirect("webhook-deliveries:inspect", self.delivery.pk)


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = gettext_lazy("Webhook deliveries")
    add_to_settings_menu = True
    index_view_class = DeliveryIndexView
    add_view_class = NoAddView
    edit_view_class = NoEditView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    form_fields = []
    list_display = [
        "created",
        "event_type",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "last_response_ms",
        "next_attempt_at",
    ]
    list_filter = ["state", "event_type", "endpoint", "created"]
    search_fields = ["message_id", "event_type"]
    search_backend_name = None
    list_export = [
        "created",
        "message_id",
        "event_type",
        "endpoint",
        "state",
        "attempts",
        "last_status_code",
        "last_response_ms",
    ]
    export_filename = "webhook-deliveries"
    copy_view_enabled = False

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("replay/<int:pk>/", DeliveryReplayView.as_view(), name="replay"),
        ]
