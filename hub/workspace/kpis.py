"""The figures that say whether the community builds loyalty, computed with SQL aggregates.

Definitions (also in the README and on the dashboard):

- **Member**: an account of the community, not of the team: not staff, not a superuser, and
  without access to the Wagtail admin (so Editors and Moderators are not counted).
- **Active** on a day: the member has a MemberActivity row for that day (they used the site while
  signed in, or contributed). "Active in the last 7 days" counts the days today-6 … today.
- **Month** for repeat engagement and churn: a rolling 30-day window, so the figures move daily
  instead of jumping on the 1st. This period = the last 30 days; the previous period = the 30
  days before it.
- **Repeat engagement**: of the members active this period, the share also active in the
  previous one.
- **Churn**: of the members active in the previous period, the share not active in this one.
- **Retention by sign-up month**: of the members who joined in a calendar month, the share
  active in that month (month 0) and in each calendar month after it.

Everything is cached for CACHE_SECONDS; each function runs a fixed number of queries whatever
the size of the data.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hub.rewards import queries as rewards_queries
from hub.rewards.models import PointsEntry, Redemption, Referral

from .models import MemberActivity

CACHE_SECONDS = 300
PERIOD_DAYS = 30
COHORT_MONTHS = 6
TOP_CONTRIBUTORS = 5
TOP_PERKS = 3
POINTS_MONTHS = 6


ADMIN_ACCESS = Q(codename="access_admin", content_type__app_label="wagtailadmin")


def _team():
    """The brand's own accounts: staff, superusers and whoever may use the Wagtail admin (the
    Editors and Moderators groups)."""
    from django.contrib.auth.models import Permission

    admin_access = Permission.objects.filter(ADMIN_ACCESS).values("pk")
    return (
        get_user_model()
        .objects.filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(groups__permissions__in=admin_access)
            | Q(user_permissions__in=admin_access)
        )
        .values_list("pk", flat=True)
    )


def _team_ids() -> list[int]:
    """The team's ids, read first (one small query). As a NOT IN (subquery), PostgreSQL cannot
    hash the team's joins and rescans them for every activity row: at 1.5 million rows that
    took over ten minutes; NOT IN over a short list of ids is a hashed filter."""
    return sorted(set(_team())) or [0]


def _members(team_ids: list[int]):
    return get_user_model().objects.exclude(pk__in=team_ids)


def _member_activity(team_ids: list[int]):
    return MemberActivity.objects.exclude(user_id__in=team_ids)


def _share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def _start_of_day(day: date):
    return timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the calendar month ``months_back`` months before ``day``'s."""
    index = day.year * 12 + (day.month - 1) - months_back
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _as_month(value) -> date:
    """TruncMonth gives a date for a DateField and an aware datetime for a DateTimeField."""
    if hasattr(value, "date"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _cached(key: str, compute, today: date):
    full_key = f"workspace:kpi:{key}:{today.isoformat()}"
    value = cache.get(full_key)
    if value is None:
        value = compute(today)
        cache.set(full_key, value, CACHE_SECONDS)
    return value


def engagement(today: date | None = None) -> dict:
    """Active members (7 and 30 days), new members, repeat engagement and churn: 4 queries."""
    return _cached("engagement", _engagement, today or timezone.localdate())


def _engagement(today: date) -> dict:
    week_start = today - timedelta(days=6)
    period_start = today - timedelta(days=PERIOD_DAYS - 1)
    previous_start = period_start - timedelta(days=PERIOD_DAYS)
    team = _team_ids()
    activity = _member_activity(team).filter(day__gte=previous_start, day__lte=today)
    counts = activity.aggregate(
        active_7=Count("user", distinct=True, filter=Q(day__gte=week_start)),
        active_30=Count("user", distinct=True, filter=Q(day__gte=period_start)),
        active_previous=Count("user", distinct=True, filter=Q(day__lt=period_start)),
    )
    active_now = activity.filter(day__gte=period_start).values("user")
    both = (
        activity.filter(day__lt=period_start, user__in=active_now).values("user").distinct().count()
    )
    members = _members(team).aggregate(
        total=Count("id", filter=Q(is_active=True)),
        new_7=Count("id", filter=Q(date_joined__gte=_start_of_day(week_start))),
        new_30=Count("id", filter=Q(date_joined__gte=_start_of_day(period_start))),
    )
    previous = counts["active_previous"]
    return {
        "members": members["total"],
        "active_7": counts["active_7"],
        "active_30": counts["active_30"],
        "new_7": members["new_7"],
        "new_30": members["new_30"],
        "active_both_periods": both,
        "active_previous_period": previous,
        "repeat_engagement": _share(both, counts["active_30"]),
        "churned": previous - both,
        "churn": _share(previous - both, previous),
    }


def daily_active(today: date | None = None) -> list[dict]:
    """Active members on each of the last 30 days, oldest first (2 queries)."""
    return _cached("daily", _daily_active, today or timezone.localdate())


def _daily_active(today: date) -> list[dict]:
    start = today - timedelta(days=PERIOD_DAYS - 1)
    per_day = dict(
        _member_activity(_team_ids())
        .filter(day__gte=start, day__lte=today)
        .values("day")
        .annotate(n=Count("user"))
        .values_list("day", "n")
    )
    return [
        {
            "day": (start + timedelta(days=i)).isoformat(),
            "active": per_day.get(start + timedelta(days=i), 0),
        }
        for i in range(PERIOD_DAYS)
    ]


def cohorts(today: date | None = None, months: int = COHORT_MONTHS) -> list[dict]:
    """Retention by sign-up month for the last ``months`` months, oldest first (3 queries).

    Each row: {"month": "2026-07", "size": 40, "retained": [{"active": 40, "share": 100.0},
    …]} with one cell per calendar month from the sign-up month to this one.
    """
    today = today or timezone.localdate()
    return _cached(f"cohorts{months}", lambda day: _cohorts(day, months), today)


def _cohorts(today: date, months: int) -> list[dict]:
    first = month_start(today, months - 1)
    since = _start_of_day(first)
    team = _team_ids()
    sizes = {
        _as_month(row["cohort"]): row["n"]
        for row in _members(team)
        .filter(date_joined__gte=since)
        .annotate(cohort=TruncMonth("date_joined"))
        .values("cohort")
        .annotate(n=Count("id"))
    }
    cells: dict[tuple[date, int], int] = {}
    for row in (
        _member_activity(team)
        .filter(user__date_joined__gte=since, day__lte=today)
        .annotate(cohort=TruncMonth("user__date_joined"), month=TruncMonth("day"))
        .values("cohort", "month")
        .annotate(n=Count("user", distinct=True))
    ):
        cohort = _as_month(row["cohort"])
        cells[(cohort, months_between(cohort, _as_month(row["month"])))] = row["n"]
    rows = []
    for back in range(months - 1, -1, -1):
        cohort = month_start(today, back)
        size = sizes.get(cohort, 0)
        rows.append(
            {
                "month": cohort.strftime("%Y-%m"),
                "size": size,
                "retained": [
                    {
                        "active": cells.get((cohort, k), 0),
                        "share": _share(cells.get((cohort, k), 0), size),
                    }
                    for k in range(back + 1)
                ],
            }
        )
    return rows


def referrals(today: date | None = None) -> dict:
    """Referral sign-ups of the last 30 days and how many qualified (1 query)."""
    return _cached("referrals", _referrals, today or timezone.localdate())


def _referrals(today: date) -> dict:
    since = _start_of_day(today - timedelta(days=PERIOD_DAYS - 1))
    counts = Referral.objects.filter(created__gte=since).aggregate(
        signed_up=Count("id"),
        qualified=Count("id", filter=Q(state=Referral.QUALIFIED)),
        flagged=Count("id", filter=Q(state=Referral.FLAGGED)),
        rejected=Count("id", filter=Q(state=Referral.REJECTED)),
    )
    counts["conversion"] = _share(counts["qualified"], counts["signed_up"])
    return counts


def redemptions(today: date | None = None) -> dict:
    """Perk redemptions of the last 30 days, the points spent, and the most redeemed (2 queries)."""
    return _cached("redemptions", _redemptions, today or timezone.localdate())


def _redemptions(today: date) -> dict:
    recent = Redemption.objects.filter(
        created__gte=_start_of_day(today - timedelta(days=PERIOD_DAYS - 1))
    )
    totals = recent.aggregate(count=Count("id"), points=Sum("points"))
    top = [
        {"perk": row["perk__title"], "count": row["n"]}
        for row in recent.values("perk__title")
        .annotate(n=Count("id"))
        .order_by("-n", "perk__title")[:TOP_PERKS]
    ]
    return {"count": totals["count"], "points": totals["points"] or 0, "top": top}


def top_contributors(limit: int = TOP_CONTRIBUTORS) -> list[dict]:
    """This month's top advocates from the leaderboard (cached by hub.rewards; 1 query cold)."""
    return [
        {
            "rank": row["rank"],
            "name": row["name"],
            "username": row["username"],
            "points": row["points"],
        }
        for row in rewards_queries.top(rewards_queries.period_key(rewards_queries.MONTH))[:limit]
    ]


def points_by_action(today: date | None = None, months: int = POINTS_MONTHS) -> dict:
    """Points given (and taken back) per action per calendar month, for the last ``months``
    months (1 query over the ledger's created index)."""
    today = today or timezone.localdate()
    report = _cached(f"points{months}", lambda day: _points_by_action(day, months), today)
    for row in report["actions"]:
        row["label"] = _action_label(row["action"])  # in the reader's language, not the cache's
    return report


def _points_by_action(today: date, months: int) -> dict:
    first = month_start(today, months - 1)
    month_keys = [month_start(today, back).strftime("%Y-%m") for back in range(months - 1, -1, -1)]
    table: dict[str, dict[str, dict]] = {}
    for row in (
        PointsEntry.objects.filter(created__gte=_start_of_day(first))
        .annotate(month=TruncMonth("created"))
        .values("month", "action")
        .annotate(points=Sum("points"), entries=Count("id"))
        .order_by()
    ):
        month = _as_month(row["month"]).strftime("%Y-%m")
        table.setdefault(row["action"], {})[month] = {
            "points": row["points"],
            "entries": row["entries"],
        }
    actions = []
    for action, per_month in sorted(table.items()):
        cells = [per_month.get(m, {"points": 0, "entries": 0}) for m in month_keys]
        actions.append(
            {
                "action": action,
                "cells": cells,
                "total": sum(c["points"] for c in cells),
            }
        )
    actions.sort(key=lambda a: -abs(a["total"]))
    totals = [sum(a["cells"][i]["points"] for a in actions) for i in range(months)]
    return {"months": month_keys, "actions": actions, "totals": totals}


def _action_label(code: str) -> str:
    from hub.rewards.actions import get_action

    try:
        return str(get_action(code).label)
    except LookupError:
        return code


def drop_cache(today: date | None = None) -> None:
    """Forget today's cached figures (after seeding, or when an editor asks for fresh ones)."""
    today = today or timezone.localdate()
    keys = ["engagement", "daily", "referrals", "redemptions"]
    keys += [f"cohorts{COHORT_MONTHS}", f"points{POINTS_MONTHS}"]
    cache.delete_many([f"workspace:kpi:{key}:{today.isoformat()}" for key in keys])
