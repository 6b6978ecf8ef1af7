"""The core resources under /api/v1/: members, their points and redemptions, and perks.

Feature apps add theirs through hub.api.registry (events: /api/v1/events/).
"""

import hashlib

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from hub.problems import problem
from hub.rewards import services as rewards
from hub.rewards.models import Balance, Perk, PerkCode, PointsEntry, Redemption
from hub.shop import services as shop_services
from hub.shop.models import OrderEvent, Shop

from .base import ApiViewSet, ReadOnlyApiViewSet
from .idempotency import idempotent
from .serializers import (
    AdjustmentResultSerializer,
    AdjustPointsSerializer,
    MemberSerializer,
    OrderEventSerializer,
    OrderResultSerializer,
    PerkSerializer,
    PointsEntrySerializer,
    RedemptionSerializer,
    balance_of,
)


def _members():
    return get_user_model().objects.filter(is_active=True).select_related("points_balance")


class MemberViewSet(mixins.RetrieveModelMixin, ApiViewSet):
    """Members: look one up by e-mail, read their standing, award or deduct points."""

    serializer_class = MemberSerializer
    scopes = {
        "retrieve": "members:read",
        "lookup": "members:read",
        "points": "members:read",
        "adjust_points": "points:write",
        "redemptions": "perks:read",
    }

    def get_queryset(self):
        return _members()

    def _member(self):
        pk = self.kwargs.get("pk", "")
        if not str(pk).isdigit():
            raise exceptions.NotFound(_("No such member."))
        member = _members().filter(pk=pk).first()
        if member is None:
            raise exceptions.NotFound(_("No such member."))
        return member

    def _represent(self, member) -> dict:
        rewards.referral_code_for(member)  # the share link is made on first use
        return MemberSerializer(member, context=self.get_serializer_context()).data

    @extend_schema(summary="Read a member", responses=MemberSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(self._represent(self._member()))

    @extend_schema(
        summary="Look a member up by e-mail",
        description="Finds the active member with this e-mail address: their account's address "
        "or another address of theirs they verified, whatever its case.",
        parameters=[OpenApiParameter("email", str, required=True)],
        responses=MemberSerializer,
    )
    @action(detail=False, methods=["get"])
    def lookup(self, request):
        email = request.query_params.get("email", "").strip()
        if not email or "@" not in email:
            raise exceptions.ValidationError({"email": [_("Give the e-mail address to look up.")]})
        # The account's address (an index on UPPER(email)), else a verified address of theirs
        # (allauth keeps them in lower case, under a unique index): one query, two at most.
        member = _members().filter(email__iexact=email).first()
        if member is None:
            other = EmailAddress.objects.filter(email=email.lower(), verified=True)
            member = _members().filter(pk__in=Subquery(other.values("user_id")[:1])).first()
        if member is None:
            raise exceptions.NotFound(_("No member has this e-mail address."))
        return Response(self._represent(member))

    @extend_schema(summary="A member's points history", responses=PointsEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def points(self, request, pk=None):
        member = self._member()
        page = self.paginate_queryset(PointsEntry.objects.filter(user=member))
        return self.get_paginated_response(PointsEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="Award or deduct points",
        description="Records a manual award (positive points) or deduction (negative) with its "
        "reason, which the member sees. Send an `Idempotency-Key` header: repeating the request "
        "with the same key and body returns the first answer and records nothing more; the same "
        "key with another body is refused with 422.",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, location=OpenApiParameter.HEADER, required=True
            )
        ],
        request=AdjustPointsSerializer,
        responses={201: AdjustmentResultSerializer},
    )
    @points.mapping.post
    def adjust_points(self, request, pk=None):
        member = self._member()

        def perform():
            data = AdjustPointsSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entry = rewards.adjust(
                member,
                data.validated_data["points"],
                reason=data.validated_data["reason"],
                by=None,
                via=f"API key {request.auth}",
            )
            member.points_balance = Balance.objects.get(user=member)
            body = {
                "entry": PointsEntrySerializer(entry).data,
                "points": balance_of(member),
            }
            return Response(body, status=status.HTTP_201_CREATED)

        return idempotent(request, perform)

    @extend_schema(summary="A member's redemptions", responses=RedemptionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def redemptions(self, request, pk=None):
        member = self._member()
        queryset = Redemption.objects.filter(user=member).select_related("perk", "code")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RedemptionSerializer(page, many=True).data)


class PerkViewSet(ReadOnlyApiViewSet):
    """The perks on offer now (active ones), cheapest first."""

    serializer_class = PerkSerializer
    scope = "perks:read"
    cursor_ordering = ("cost", "id")

    def get_queryset(self):
        unused = (
            PerkCode.objects.filter(perk=OuterRef("pk"), redemption__isnull=True)
            .order_by()
            .values("perk")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            Perk.objects.filter(is_active=True)
            .select_related("min_tier")
            .annotate(codes_left=Coalesce(Subquery(unused), 0))
        )

    @extend_schema(summary="List perks")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read a perk")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


def not_found(request, *args, **kwargs):
    """Any other path under /api/: a problem-details 404 rather than the site's HTML page."""
    return problem(404, "not-found", _("There is no API endpoint at this address."))


# --- Orders (hub.shop) -----------------------------------------------------------------------------
def _shop_for(request) -> Shop:
    """The shop named by ``?shop=<slug>``, or the only one connected."""
    slug = request.query_params.get("shop", "").strip()
    if slug:
        shop = Shop.objects.filter(slug=slug).first()
        if shop is None:
            raise exceptions.NotFound(_("No shop is connected under this name."))
        return shop
    shops = list(Shop.objects.order_by("pk")[:2])
    if not shops:
        raise exceptions.NotFound(_("No shop is connected to the hub yet."))
    if len(shops) > 1:
        raise exceptions.ValidationError(
            {"shop": [_("Several shops are connected: name one with ?shop=<slug>.")]}
        )
    return shops[0]


class OrderViewSet(ApiViewSet):
    """Shop orders, for shops that send them with an API key rather than signed webhooks."""

    scope = "orders:write"
    serializer_class = OrderEventSerializer

    @extend_schema(
        summary="Send an order event",
        description="The same body as the signed order webhook (`POST /api/v1/webhooks/orders/`): "
        "`{type, timestamp, data}`, with `type` one of order.created, order.paid, "
        "order.partially_refunded, order.refunded, order.cancelled. The order is matched to the "
        "member with that verified e-mail address (or kept until they sign up), and a paid order "
        "earns points once, however often it is sent. Name the shop with `?shop=<slug>` when "
        "more than one is connected. An optional `Idempotency-Key` makes a retry return the "
        "first answer.",
        parameters=[
            OpenApiParameter("shop", str, description="The shop's slug (admin › Shop › Shops)."),
            OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER),
        ],
        request=OrderEventSerializer,
        responses={201: OrderResultSerializer, 200: OrderResultSerializer},
    )
    def create(self, request):
        shop = _shop_for(request)
        key = request.headers.get("Idempotency-Key", "").strip()
        # The key also makes the event once-only in the shop's own log (its webhook id).
        event_id = f"api:{request.auth.prefix}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"

        def perform():
            result = shop_services.ingest_order_event(
                shop, request.data, webhook_id=event_id if key else None, source=OrderEvent.API
            )
            body = {
                "status": "processed",
                "event": result.event.pk,
                "order": result.order.external_id,
                "order_status": result.order.status,
                "created": result.created,
                "member": bool(result.order.member_id),
                "points": result.points,
                "changes": [str(change) for change in result.changes],
            }
            return Response(body, status=201 if result.created else 200)

        return idempotent(request, perform, required=False)
