"""The editors' side of referrals: every referral with its state, and the queue of flagged ones.

Referrals change only through the services: the "edit" view of a flagged referral is its review
(clear or reject, with a reason logged in its history); nothing else is edited, added or deleted.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from hub.errors import Refusal
from hub.workspace.bulk import BulkActionsIndexMixin

from . import services
from .forms import ReferralReviewForm
from .models import Referral

SAME_IP_SHOWN = 20


class ReferralIndexView(BulkActionsIndexMixin, generic.IndexView):
    history_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("referrer", "referred")

    def get_add_url(self):
        return None  # referrals come from sign-ups only

    def get_edit_url(self, instance):
        if instance.state == Referral.FLAGGED:
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        buttons = []
        if review_url := self.get_edit_url(instance):
            buttons.append(
                MenuItem(_("Review flag"), url=review_url, icon_name="warning", priority=10)
            )
        if inspect_url := self.get_inspect_url(instance):
            buttons.append(
                MenuItem(_("Inspect"), url=inspect_url, icon_name="info-circle", priority=20)
            )
        if self.history_url_name:
            history_url = reverse(self.history_url_name, args=(quote(instance.pk),))
            buttons.append(
                MenuItem(_("History"), url=history_url, icon_name="history", priority=30)
            )
        return buttons


class ReferralFlagIndexView(ReferralIndexView):
    """The flags queue: what looks like self-referral, oldest first, waiting for an editor."""

    page_title = gettext_lazy("Referral flags")
    default_ordering = "created"

    def get_base_queryset(self):
        return super().get_base_queryset().filter(state=Referral.FLAGGED)


class ReferralInspectView(generic.InspectView):
    history_url_name = None

    def get_edit_url(self):
        if self.object.state == Referral.FLAGGED:
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        return None

    @property
    def header_more_buttons(self):
        buttons = []
        if review_url := self.get_edit_url():
            buttons.append(
                Button(_("Review flag"), url=review_url, icon_name="warning", priority=10)
            )
        if self.history_url_name:
            history_url = reverse(self.history_url_name, args=(quote(self.object.pk),))
            buttons.append(Button(_("History"), url=history_url, icon_name="history", priority=20))
        return buttons


class ReferralReviewView(WagtailAdminTemplateMixin, FormView):
    """Clear or reject a flagged referral; the decision and the reason go into its history."""

    model = Referral
    form_class = ReferralReviewForm
    template_name = "rewards/admin/review_referral.html"
    page_title = gettext_lazy("Review referral")
    header_icon = "warning"
    index_url_name = None
    inspect_url_name = None
    history_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("rewards.change_referral"):
            raise PermissionDenied
        self.referral = get_object_or_404(
            Referral.objects.select_related("referrer", "referred"), pk=kwargs["pk"]
        )
        if self.referral.state != Referral.FLAGGED:
            messages.info(request, _("This referral is not waiting for review."))
            return redirect(self.inspect_url_name, quote(self.referral.pk))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.referral)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Referrals")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        same_ip = Referral.objects.none()
        if self.referral.signup_ip:
            same_ip = (
                Referral.objects.filter(signup_ip=self.referral.signup_ip)
                .exclude(pk=self.referral.pk)
                .select_related("referrer", "referred")
                .order_by("-created")[:SAME_IP_SHOWN]
            )
        context.update(
            referral=self.referral,
            same_ip=same_ip,
            history_url=reverse(self.history_url_name, args=(quote(self.referral.pk),)),
        )
        return context

    def form_valid(self, form):
        decide = (
            services.clear_referral_flag
            if form.cleaned_data["decision"] == ReferralReviewForm.CLEAR
            else services.reject_referral
        )
        try:
            referral = decide(
                self.referral, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except Refusal as refused:
            messages.error(self.request, refused.message)
            return redirect(self.index_url_name)
        if referral.state == Referral.REJECTED:
            messages.success(
                self.request, _("Referral rejected: %(referral)s") % {"referral": referral}
            )
        elif referral.state == Referral.QUALIFIED:
            messages.success(
                self.request,
                _("Flag cleared; the referral qualified and both members got their points."),
            )
        else:
            messages.success(
                self.request,
                _("Flag cleared; the referral qualifies once the new member meets the conditions."),
            )
        return redirect(self.index_url_name)


class ReferralNoAdd(generic.CreateView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # referrals come from sign-ups through share links


class ReferralNoDelete(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # the record stays: it explains points given or refused


class ReferralViewSet(ModelViewSet):
    model = Referral
    icon = "user"
    menu_label = gettext_lazy("Referrals")
    index_view_class = ReferralIndexView
    inspect_view_class = ReferralInspectView
    add_view_class = ReferralNoAdd
    edit_view_class = ReferralReviewView
    delete_view_class = ReferralNoDelete
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["flag_reason"]  # required by ModelViewSet; the "edit" view is the review form
    list_display = [
        "referred",
        "referrer",
        "state",
        "flag_reason",
        "signup_ip",
        "created",
        Column("qualified_at", label=gettext_lazy("Qualified"), sort_key="qualified_at"),
    ]
    list_filter = ["state", "created"]
    search_fields = [
        "referrer__username",
        "referrer__email",
        "referred__username",
        "referred__email",
        "signup_ip",
        "flag_reason",
    ]
    inspect_view_fields = [
        "referrer",
        "referred",
        "state",
        "flag_reason",
        "signup_ip",
        "created",
        "qualified_at",
    ]
    list_export = [
        "created",
        "referrer.username",
        "referred.username",
        "referred.email",
        "state",
        "flag_reason",
        "signup_ip",
        "qualified_at",
    ]
    export_headings = {
        "referrer.username": gettext_lazy("Invited by"),
        "referred.username": gettext_lazy("New member"),
        "referred.email": gettext_lazy("New member's e-mail"),
    }
    export_filename = "referrals"

    def get_edit_view_kwargs(self, **kwargs):
        return {"form_class": ReferralReviewForm, **kwargs}


class ReferralFlagViewSet(ReferralViewSet):
    icon = "warning"
    index_view_class = ReferralFlagIndexView
    menu_label = gettext_lazy("Referral flags")
    list_filter = ["created"]
    export_filename = "referral-flags"

    def register_admin_url_finder(self):
        pass  # ReferralViewSet is the referral's home in the admin

    def register_permissions(self):
        pass  # the same permissions as ReferralViewSet, registered there
