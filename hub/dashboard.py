"""The dashboard registry: panels that apps add to the Wagtail admin home, so editors see the
figures that say whether the community builds loyalty (NPS trend, event fill rates...).

Apps register from AppConfig.ready(), so `hub` never imports a feature app:

    register_dashboard_panel(
        "feedback.nps",
        _("NPS trend"),
        template="feedback/admin/dashboard_nps.html",
        context=queries.nps_dashboard,   # () -> dict for the template; cache it for a few minutes
        permission="feedback.view_survey",  # None: every admin user
        order=40,
    )

``context`` must run a bounded number of queries whatever the size of the data, and return
JSON-safe figures (numbers, strings, lists of them) so the KPI export can reuse them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    label: str
    template: str
    context: Callable[[], dict]
    permission: str | None
    order: int


_panels: dict[str, DashboardPanel] = {}


def register_dashboard_panel(
    key: str, label, *, template: str, context, permission: str | None = None, order: int = 100
) -> None:
    """Add a panel to the admin home; registering a key again replaces it."""
    _panels[key] = DashboardPanel(
        key=key, label=label, template=template, context=context, permission=permission, order=order
    )


def panels(user=None) -> list[DashboardPanel]:
    """The registered panels in order; with ``user``, only those that user may see."""
    found = sorted(_panels.values(), key=lambda p: p.order)
    if user is not None:
        found = [p for p in found if p.permission is None or user.has_perm(p.permission)]
    return found
