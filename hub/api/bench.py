"""Benchmark pages for the REST API: member lookup by e-mail and the perks list, requested with
an API key the bench makes (every scope, no practical rate limit). Imported only by the bench."""

from urllib.parse import urlencode

from django.urls import reverse

from hub.bench import register_bench_page

_headers: dict | None = None


def bench_api_headers() -> dict:
    """An ``Authorization`` header for a fresh bench key (one per bench run; older ones revoked)."""
    global _headers
    if _headers is None:
        from .models import ApiKey
        from .scopes import all_scopes
        from .services import create_api_key, revoke_api_key

        for old in ApiKey.objects.filter(name="bench", revoked_at__isnull=True):
            revoke_api_key(old, by=None)
        _key, raw = create_api_key(
            name="bench",
            scopes=[s.code for s in all_scopes()],
            rate_per_minute=10_000_000,
            by=None,
        )
        _headers = {"Authorization": f"Bearer {raw}"}
    return _headers


def member_lookup_url() -> str | None:
    from django.contrib.auth import get_user_model

    from hub.accounts.bench import MEMBERS, bench_username

    members = get_user_model().objects.filter(is_active=True)
    email = (
        members.filter(username=bench_username(MEMBERS // 2))
        .values_list("email", flat=True)
        .first()
        or members.exclude(email="").order_by("-pk").values_list("email", flat=True).first()
    )
    if not email:
        return None
    return reverse("api:member-lookup") + "?" + urlencode({"email": email.upper()})


# What `manage.py bench` measures of the API (this module is imported only by the bench).
register_bench_page("api member lookup", member_lookup_url, order=90, headers=bench_api_headers)
register_bench_page(
    "api perks list", lambda: reverse("api:perk-list"), order=90, headers=bench_api_headers
)
