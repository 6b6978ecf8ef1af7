"""The workspace's admin pages: the moderation queue, the reports and the KPI export."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from hub.converters import parse_id
from hub.dashboard import panels
from hub.errors import Refusal
from hub.redirects import safe_next
from hub.spreadsheets import csv_writer

from . import charts, kpis, queue

logger = logging.getLogger(__name__)

DASHBOARD_PERMISSION = "workspace.view_dashboard"


class ModerationQueueView(WagtailAdminTemplateMixin, TemplateView):
    """Everything reported or waiting, from every source the user may moderate, oldest first."""

    template_name = "workspace/moderation_queue.html"
    page_title = gettext_lazy("Moderation queue")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not queue.can_use_queue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        available = queue.queue_sources(self.request.user)
        only = self.request.GET.get("source") or None
        if only and only not in {s.key for s in available}:
            only = None
        found = queue.sections(self.request.user, only=only)
        items = [item for section in found for item in section.items]
        context.update(
            sections=found,
            only=only,
            tabs=[(s, queue.source_count(s)) for s in available],
            authors=queue.author_records(items),
            total=sum(section.count for section in found),
        )
        return context


class ModerationActView(View):
    """POST: one action on one item; the source's message (or the refusal) shows on the queue."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not queue.can_use_queue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        back = safe_next(request, reverse("moderation_queue"))
        pk = parse_id(request.POST.get("pk"))
        if not pk:
            messages.error(request, _("That item could not be found."))
            return redirect(back)
        try:
            message = queue.decide(
                by=request.user,
                source_key=request.POST.get("source", ""),
                pk=pk,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", "")[:500],
            )
        except Refusal as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, message)
        return redirect(back)


def can_view_dashboard(user) -> bool:
    return user.is_active and user.has_perm(DASHBOARD_PERMISSION)


class DashboardPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_view_dashboard(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RetentionReportView(DashboardPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "workspace/report_retention.html"
    page_title = gettext_lazy("Retention by sign-up month")
    header_icon = "group"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = kpis.cohorts(months=12)
        context.update(
            cohorts=rows,
            offsets=list(range(len(rows))),
            engagement=kpis.engagement(),
        )
        return context


class PointsReportView(DashboardPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "workspace/report_points.html"
    page_title = gettext_lazy("Points by action")
    header_icon = "pick"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = kpis.points_by_action(months=12)
        context.update(
            report=report,
            rows=[
                {**row, "cells": list(zip(report["months"], row["cells"], strict=True))}
                for row in report["actions"]
            ],
            chart=charts.bar_chart(
                list(zip(report["months"], report["totals"], strict=True)),
                title=_("Points given per month"),
                description=_(
                    "Net points given to members in each of the last 12 months, all actions "
                    "together (reversals and redemptions subtracted)."
                ),
            ),
        )
        return context


def kpi_rows() -> list[tuple[str, str, object]]:
    """(section, figure, value) rows: every dashboard figure, for the CSV export."""
    today = timezone.localdate()
    rows: list[tuple[str, str, object]] = []
    engagement = kpis.engagement()
    section = _("Engagement")
    for key, label in [
        ("members", _("Members")),
        ("active_7", _("Active members, last 7 days")),
        ("active_30", _("Active members, last 30 days")),
        ("new_7", _("New members, last 7 days")),
        ("new_30", _("New members, last 30 days")),
        ("active_previous_period", _("Active members, the 30 days before")),
        ("active_both_periods", _("Active in both periods")),
        ("repeat_engagement", _("Repeat engagement (%)")),
        ("churned", _("Churned members")),
        ("churn", _("Churn (%)")),
    ]:
        rows.append((section, label, engagement[key]))
    for day in kpis.daily_active():
        rows.append((_("Active members per day"), day["day"], day["active"]))
    for cohort in kpis.cohorts():
        rows.append((_("Retention by sign-up month"), f"{cohort['month']} size", cohort["size"]))
        for offset, cell in enumerate(cohort["retained"]):
            rows.append(
                (_("Retention by sign-up month"), f"{cohort['month']} +{offset} (%)", cell["share"])
            )
    referrals = kpis.referrals()
    for key, label in [
        ("signed_up", _("Referred sign-ups, last 30 days")),
        ("qualified", _("Qualified")),
        ("flagged", _("Flagged")),
        ("conversion", _("Conversion (%)")),
    ]:
        rows.append((_("Referrals"), label, referrals[key]))
    redemptions = kpis.redemptions()
    rows.append((_("Perk redemptions"), _("Redemptions, last 30 days"), redemptions["count"]))
    rows.append((_("Perk redemptions"), _("Points spent"), redemptions["points"]))
    for row in kpis.top_contributors():
        rows.append((_("Top contributors this month"), row["username"], row["points"]))
    for panel in panels():
        try:
            figures = panel.context()
        except Exception:  # a feature app's panel must not break the export
            logger.exception("dashboard panel %s failed in the KPI export", panel.key)
            continue
        for key, value in figures.items():
            if isinstance(value, (int, float, str)) or value is None:
                rows.append((str(panel.label), key, value))
            elif isinstance(value, (list, tuple)) and all(
                isinstance(v, (int, float, str)) for v in value
            ):
                rows.append((str(panel.label), key, "; ".join(str(v) for v in value)))
    rows.append((_("Export"), _("Computed on"), today.isoformat()))
    return rows


class KpiExportView(DashboardPermissionMixin, View):
    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"kpis-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv_writer(response)
        writer.writerow([_("Section"), _("Figure"), _("Value")])
        for section, label, value in kpi_rows():
            writer.writerow([section, label, "" if value is None else value])
        return response
