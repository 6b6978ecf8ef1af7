"""What the purchase KPIs look like to editors: the side-by-side table, the charts, and the
admin home's panel (whose flat figures the KPI export lists)."""

from django.utils.translation import gettext as _

from hub.workspace import charts

from . import kpis


def comparison_rows(figures: dict) -> list[dict]:
    """(label, overall, community, others, unit) rows of the side-by-side table."""
    spec = [
        ("customers", _("Customers in the period"), ""),
        ("repeat_rate", _("Repeat purchase rate"), " %"),
        ("frequency", _("Purchases per customer"), ""),
        ("average_order_value", _("Average order value"), "money"),
        ("lifetime_value", _("Historic customer lifetime value"), "money"),
        ("churn", _("Purchase churn"), " %"),
        ("revenue", _("Revenue in the period"), "money"),
    ]
    return [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "all": figures["all"][key],
            "community": figures["community"][key],
            "others": figures["others"][key],
        }
        for key, label, unit in spec
    ]


def purchase_context(figures: dict) -> dict:
    monthly = figures["monthly"]
    return {
        "figures": figures,
        "rows": comparison_rows(figures),
        "cohorts": figures["cohorts"],
        "offsets": list(range(len(figures["cohorts"]))),
        "revenue_chart": charts.bar_chart(
            [(row["month"], row["revenue"]) for row in monthly],
            title=_("Revenue per month"),
            description=_(
                "Revenue from purchases (paid, less refunds, cancellations left out) in each of "
                "the last 12 calendar months."
            ),
        ),
        "orders_chart": charts.bar_chart(
            [(row["month"], row["orders"]) for row in monthly],
            title=_("Purchases per month"),
            description=_("Purchases in each of the last 12 calendar months."),
        ),
        "repeat_chart": charts.bar_chart(
            [
                (_("Community members"), figures["community"]["repeat_rate"] or 0),
                (_("Other customers"), figures["others"]["repeat_rate"] or 0),
            ],
            title=_("Repeat purchase rate: community members vs other customers"),
            description=_(
                "Of the customers with a purchase in the last 365 days, the share with two or "
                "more, for community members and for other customers."
            ),
            unit=" %",
        ),
    }


def dashboard_context() -> dict:
    """The admin home's purchase panel: the headline figures flat, so the KPI export lists them,
    and what the template draws."""
    figures = kpis.purchase_kpis()
    drawn = purchase_context(figures)
    return {
        **kpis.headline(figures),
        "rows": drawn["rows"],
        "repeat_chart": drawn["repeat_chart"],
        "revenue_chart": drawn["revenue_chart"],
    }
