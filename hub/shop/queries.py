"""Read paths of the shop connection: who an address belongs to, the programme's settings, the
shops' secrets, and the admin's lists."""

from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import Site

from .models import Order, OrderEvent, Shop, ShopSecret, ShopSettings

RECENT = 20


def verified_member(email: str):
    """The active member whose verified address ``email`` is (any case), or None.

    allauth keeps addresses in lower case (EmailAddress.clean() and its manager), so this is
    one look-up in its unique index of verified addresses, not a scan."""
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email=email.lower(), verified=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return address.user if address else None


SETTINGS_CACHE_KEY = "shop:settings"
SETTINGS_TTL = 300


def programme_settings() -> ShopSettings:
    """The shop programme's settings (the default site's), from the shared cache: every order
    reads them, editors change them now and then (saving them drops the cached copy)."""
    settings = cache.get(SETTINGS_CACHE_KEY)
    if settings is None:
        site = Site.objects.filter(is_default_site=True).first()
        settings = ShopSettings.for_site(site) if site else ShopSettings()
        cache.set(SETTINGS_CACHE_KEY, settings, SETTINGS_TTL)
    return settings


def active_secrets(shop_slug: str | None = None, now=None) -> list[ShopSecret]:
    """The secrets a delivery may be signed with: those of the named shop (or of every shop)
    that accepts orders, not expired, newest first (one query)."""
    now = now or timezone.now()
    secrets = ShopSecret.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    secrets = secrets.filter(shop__is_active=True) if shop_slug is None else secrets
    if shop_slug is not None:
        secrets = secrets.filter(shop__slug=shop_slug)
    return list(secrets.select_related("shop").order_by("-created", "-id"))


def has_first_paid_order(user) -> bool:
    """The referral condition the shop offers: the member has a paid order, not cancelled."""
    return Order.objects.filter(
        member=user, paid_at__isnull=False, cancelled_at__isnull=True
    ).exists()


def shop_overview(shop: Shop) -> dict:
    """What the shop's admin page shows: its secrets, latest deliveries and orders, counts."""
    now = timezone.now()
    counts = Order.objects.filter(shop=shop).aggregate(
        orders=Count("id"),
        members=Count("id", filter=Q(member__isnull=False)),
        paid=Count("id", filter=Q(paid_at__isnull=False)),
    )
    return {
        "secrets": [
            {"secret": s, "active": s.is_active(now)}
            for s in ShopSecret.objects.filter(shop=shop).order_by("-created", "-id")[:10]
        ],
        "events": list(
            OrderEvent.objects.filter(shop=shop)
            .select_related("order")
            .order_by("-received_at", "-id")[:RECENT]
        ),
        "orders": list(
            Order.objects.filter(shop=shop)
            .select_related("member")
            .order_by("-placed_at", "-id")[:RECENT]
        ),
        "counts": counts,
    }
