"""The shop connection: shops and their signing secrets, the orders they send, every event that
changed an order, and the programme rules an order follows.

An order is the shop's (``external_id`` unique per shop); the hub keeps what it needs for the
programme and the purchase KPIs: who bought (the e-mail address, and the member once that
address is verified), how much, what (SKUs), with which discount codes, and what it earned.
"""

import base64
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.search import index

SECRET_PREFIX = "whsec_"  # noqa: S105  (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 32


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class Shop(index.Indexed, models.Model):
    """A shop that sends its orders to the hub, signed with one of its secrets."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        unique=True,
        help_text=_("Names the shop in its webhook address: …/api/v1/webhooks/orders/?shop=slug"),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        help_text=_("The ISO 4217 code of the shop's prices, e.g. EUR or USD."),
    )
    is_active = models.BooleanField(
        _("accepting orders"),
        default=True,
        help_text=_("A paused shop's deliveries are refused (and the shop retries them later)."),
    )
    created = models.DateTimeField(_("connected"), default=timezone.now)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShopSecret(models.Model):
    """One signing secret of a shop. Several may be active at once: after a rotation the old
    one keeps working until it expires, so the shop can switch without losing a delivery."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="secrets")
    # Kept as given: verifying an HMAC needs the secret itself (it is never shown again).
    secret = models.CharField(max_length=100, unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("signing secret")
        verbose_name_plural = _("signing secrets")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.shop} …{self.hint}"

    @property
    def hint(self) -> str:
        """The last four characters, to tell secrets apart without showing them."""
        return self.secret[-4:]

    def is_active(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class Order(models.Model):
    """An order as the shop last described it, and what it earned in the programme."""

    # Millions of rows, each pointing at its shop and member: Wagtail's reference index (the
    # "usage" of a shop) would gain a row, and every save two statements, per order.
    wagtail_reference_index_ignore = True

    CREATED, PAID, PARTIALLY_REFUNDED, REFUNDED, CANCELLED = (
        "created",
        "paid",
        "partially_refunded",
        "refunded",
        "cancelled",
    )
    STATUS_CHOICES = [
        (CREATED, _("Placed, not paid")),
        (PAID, _("Paid")),
        (PARTIALLY_REFUNDED, _("Partially refunded")),
        (REFUNDED, _("Refunded")),
        (CANCELLED, _("Cancelled")),
    ]

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.PROTECT, related_name="orders"
    )
    external_id = models.CharField(_("order number"), max_length=100)
    email = models.EmailField(_("customer e-mail"), max_length=254)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shop_orders",
    )
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    refunded = models.DecimalField(
        _("refunded"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES, default=CREATED)
    discount_codes = models.JSONField(_("discount codes"), default=list, blank=True)
    placed_at = models.DateTimeField(_("placed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # What the programme did with it (kept under the order's row lock).
    rewarded = models.BooleanField(default=False, editable=False)
    points_awarded = models.IntegerField(_("points earned"), default=0, editable=False)
    points_reversed = models.IntegerField(_("points taken back"), default=0, editable=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="shop_order_once"),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(refunded__gte=0), name="shop_order_amounts"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "placed_at"], name="shop_order_member"),
            models.Index(fields=["email"], name="shop_order_email"),
            models.Index(fields=["placed_at"], name="shop_order_placed"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} #{self.external_id}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def net(self) -> Decimal:
        """What the customer finally paid: nothing if cancelled, the total less refunds."""
        if self.cancelled_at is not None or self.paid_at is None:
            return Decimal("0")
        return max(Decimal("0"), self.total - self.refunded)

    @property
    def points_kept(self) -> int:
        return self.points_awarded - self.points_reversed

    points_kept.fget.short_description = _("points kept")


class OrderLine(models.Model):
    wagtail_reference_index_ignore = True

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("product"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        indexes = [models.Index(fields=["sku"], name="shop_orderline_sku")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class OrderEvent(models.Model):
    """One accepted change to an order: a signed delivery, a CSV row, an API call, or the
    order attaching to the member who verified its address. A delivery's ``webhook_id`` is
    unique per shop, so a replayed delivery is refused before it changes anything; the points
    a refund takes back are recorded against the event that brought it."""

    WEBHOOK, CSV, API, SIGNUP, DEMO = "webhook", "csv", "api", "signup", "demo"
    SOURCE_CHOICES = [
        (WEBHOOK, _("Webhook")),
        (CSV, _("CSV import")),
        (API, _("API")),
        (SIGNUP, _("Member verified their address")),
        (DEMO, _("Demo data")),
    ]
    CREATED, PAID, PARTIALLY_REFUNDED, REFUNDED, CANCELLED, ATTACHED = (
        "order.created",
        "order.paid",
        "order.partially_refunded",
        "order.refunded",
        "order.cancelled",
        "order.attached",
    )
    TYPE_CHOICES = [
        (CREATED, _("Order placed")),
        (PAID, _("Order paid")),
        (PARTIALLY_REFUNDED, _("Order partially refunded")),
        (REFUNDED, _("Order refunded")),
        (CANCELLED, _("Order cancelled")),
        (ATTACHED, _("Order attached to a member")),
    ]

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="events"
    )
    # None while a delivery waits for the worker (hub.shop.tasks.process_order_event), which
    # makes or finds the order.
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        related_name="events",
        null=True,
        blank=True,
    )
    type = models.CharField(_("event"), max_length=30, choices=TYPE_CHOICES)
    source = models.CharField(_("received by"), max_length=10, choices=SOURCE_CHOICES)
    webhook_id = models.CharField(_("webhook id"), max_length=120, null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    outcome = models.CharField(_("what it did"), max_length=500, blank=True)
    # When its effects were applied (points, verified buyer, referral, perks...); None: accepted,
    # waiting for the worker.
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    wagtail_reference_index_ignore = True  # as for orders: one row per delivery

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "webhook_id"],
                condition=Q(webhook_id__isnull=False),
                name="shop_event_webhook_once",
            )
        ]
        indexes = [
            models.Index(fields=["shop", "-received_at"], name="shop_event_recent"),
            # The few deliveries still waiting for the worker (hub.shop.tasks' sweep).
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="shop_event_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.order_number}"

    @property
    def order_number(self) -> str:
        """The shop's order id, also while the delivery waits for the worker."""
        if self.order_id is not None:
            return self.order.external_id
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        return str(data.get("id", "")) if isinstance(data, dict) else ""


class CustomerSummary(models.Model):
    """One customer's purchases, kept by the ingestion so the purchase KPIs read one row per
    customer instead of every order (hub.shop.summaries; ``rebuild_purchase_summaries`` derives
    them again from the orders).

    A customer is a member (``customer_key`` is their id) or, for orders without a member, an
    e-mail address (``customer_key`` is the address), as in the KPIs. Only purchases count: paid, not cancelled,
    not fully refunded; ``revenue`` is their totals less refunds. ``prev_at`` is when the
    second-latest purchase was placed (two purchases at once: the same time), so "two or more
    purchases since a day" is ``prev_at >= that day``. A row whose customer has no purchase
    (left behind when their orders attached to a member, or all refunded) keeps zeros."""

    customer_key = models.CharField(max_length=254, unique=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField(max_length=254, blank=True)
    purchases = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    prev_at = models.DateTimeField(null=True, blank=True)
    # Purchases and revenue from the month ``recent_from`` on: the calendar month in which the
    # KPIs' 365-day period starts (hub.shop.summaries.period_month). A row whose month is not
    # the period's is counted from its month rows instead (``roll_purchase_summaries`` moves
    # them all on; the ingestion moves each row it computes again).
    recent_from = models.DateField(null=True, blank=True)
    recent_purchases = models.PositiveIntegerField(default=0)
    recent_revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer purchase summary")
        verbose_name_plural = _("customer purchase summaries")

    def __str__(self) -> str:
        return self.customer_key


class CustomerMonth(models.Model):
    """One customer's purchases in one calendar month (in the site's time zone): what the
    period's purchases, the figures per month and the retention cohorts add up. ``member`` is
    the customer's, copied so the KPIs need no join to tell community members apart."""

    # Looked up by (customer, month): the unique constraint's index serves both.
    customer = models.ForeignKey(
        CustomerSummary, on_delete=models.CASCADE, related_name="months", db_index=False
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # deleted with the customer's summary (CASCADE)
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    month = models.DateField()
    purchases = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("customer purchases in a month")
        verbose_name_plural = _("customer purchases per month")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="shop_customer_month_once")
        ]
        indexes = [models.Index(fields=["month"], name="shop_customer_month_month")]

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m}"


class ComebackOffer(models.Model):
    """The second-purchase discount a member gets after their first order: once per member,
    with one reminder before it expires."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comeback_offer"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    redemption = models.OneToOneField(
        "rewards.Redemption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    remind_at = models.DateTimeField(_("reminder due"), db_index=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("come-back offer")
        verbose_name_plural = _("come-back offers")

    def __str__(self) -> str:
        return f"{self.member} until {self.expires_at:%Y-%m-%d}"


@register_setting(icon="tag")
class ShopSettings(BaseSiteSetting):
    """What an order does in the programme, beyond the points rule, and how the KPIs count."""

    review_invitation_days = models.PositiveIntegerField(
        _("invite to review after (days)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Days after a paid order before the member is invited to review what they bought "
            "(once per product; not if they have reviewed it already)."
        ),
    )
    comeback_perk = models.ForeignKey(
        "rewards.Perk",
        verbose_name=_("come-back perk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Given free after a member's first paid order: a discount code for their second "
            "purchase (a perk with a shared code or a pool of unique codes). Empty: none."
        ),
    )
    comeback_days = models.PositiveIntegerField(
        _("come-back code valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    comeback_reminder_days = models.PositiveIntegerField(
        _("remind this many days before it expires"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    churn_days = models.PositiveIntegerField(
        _("a customer has churned after (days without an order)"),
        default=180,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
    )

    panels = [
        FieldPanel("review_invitation_days"),
        MultiFieldPanel(
            [
                FieldPanel("comeback_perk"),
                FieldPanel("comeback_days"),
                FieldPanel("comeback_reminder_days"),
            ],
            heading=_("Come-back perk"),
        ),
        FieldPanel("churn_days"),
    ]

    class Meta:
        verbose_name = _("shop programme")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # hub.shop.queries.programme_settings() keeps a copy in the shared cache.
        cache.delete("shop:settings")
        transaction.on_commit(lambda: cache.delete("shop:settings"))

    def clean(self):
        super().clean()
        if self.comeback_reminder_days >= self.comeback_days:
            raise ValidationError(
                {
                    "comeback_reminder_days": _(
                        "Remind fewer days before expiry than the code is valid for."
                    )
                }
            )
