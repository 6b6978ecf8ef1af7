"""The KPI dashboard on the Wagtail admin home, and the panels feature apps register."""

import logging

from django.forms import Media
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from hub.dashboard import panels as registered_panels

from . import charts, kpis, queue

logger = logging.getLogger(__name__)


class KpiDashboardPanel(Component):
    """Engagement, retention, referrals, redemptions, top contributors and pending moderation."""

    name = "workspace_kpis"
    order = 50  # above Wagtail's own panels (pages to moderate, recent edits)
    template_name = "workspace/dashboard.html"

    @property
    def media(self):
        return Media(css={"all": ["css/workspace.css"]})

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        engagement = kpis.engagement()
        daily = kpis.daily_active()
        cohorts = kpis.cohorts()
        pending = [(s, queue.source_count(s)) for s in queue.queue_sources(request.user)]
        return {
            "request": request,
            "engagement": engagement,
            "daily_chart": charts.bar_chart(
                [(day["day"][5:], day["active"]) for day in daily],
                title=_("Active members per day"),
                description=_("Members active on each of the last 30 days, oldest first."),
            ),
            "new_chart": charts.bar_chart(
                [(row["month"], row["size"]) for row in cohorts],
                title=_("New members per month"),
                description=_("Members who joined in each of the last 6 calendar months."),
            ),
            "cohorts": cohorts,
            "offsets": list(range(len(cohorts))),
            "referrals": kpis.referrals(),
            "redemptions": kpis.redemptions(),
            "top": kpis.top_contributors(),
            "pending": pending,
            "pending_total": sum(n for _s, n in pending),
            "feature_panels": self.feature_panels(request),
        }

    def feature_panels(self, request) -> list[dict]:
        """The panels apps registered (NPS trend, upcoming events…), rendered in their template;
        a failing panel shows a short notice instead of breaking the admin home."""
        rendered = []
        for panel in registered_panels(request.user):
            try:
                html = render_to_string(
                    panel.template, {"panel": panel, **panel.context()}, request=request
                )
            except Exception:
                logger.exception("dashboard panel %s failed", panel.key)
                html = ""
            rendered.append({"key": panel.key, "label": panel.label, "html": html})
        return rendered

    def render_html(self, parent_context=None):
        from .views import can_view_dashboard

        if not can_view_dashboard(parent_context["request"].user):
            return ""
        return super().render_html(parent_context)
