"""What the core resources look like: members, points entries, perks, redemptions."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hub.rewards.models import Perk, PointsEntry, Redemption
from hub.rewards.queries import next_tier, perk_left, tier_for


class TierSerializer(serializers.Serializer):
    name = serializers.CharField()
    threshold = serializers.IntegerField(help_text="Lifetime points needed.")


class NextTierSerializer(TierSerializer):
    points_needed = serializers.IntegerField()


class PointsSerializer(serializers.Serializer):
    lifetime = serializers.IntegerField(help_text="Every point ever earned (decides the tier).")
    spendable = serializers.IntegerField(help_text="Points that can be spent on perks now.")
    owed = serializers.IntegerField(help_text="Points taken back after they were spent.")


def balance_of(user) -> dict:
    balance = getattr(user, "points_balance", None)
    if balance is None:
        return {"lifetime": 0, "spendable": 0, "owed": 0}
    return {"lifetime": balance.lifetime, "spendable": balance.spendable, "owed": balance.owed}


class MemberSerializer(serializers.Serializer):
    """A member with their standing; the view passes ``referral_code`` in the context."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="public_name")
    joined = serializers.DateTimeField(source="date_joined")
    profile_url = serializers.SerializerMethodField()
    points = serializers.SerializerMethodField()
    tier = serializers.SerializerMethodField()
    next_tier = serializers.SerializerMethodField()
    referral_link = serializers.SerializerMethodField()

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_profile_url(self, user) -> str:
        return self._absolute(user.get_absolute_url())

    @extend_schema_field(PointsSerializer)
    def get_points(self, user):
        return balance_of(user)

    @extend_schema_field(TierSerializer(allow_null=True))
    def get_tier(self, user):
        tier = tier_for(balance_of(user)["lifetime"])
        return {"name": tier.name, "threshold": tier.threshold} if tier else None

    @extend_schema_field(NextTierSerializer(allow_null=True))
    def get_next_tier(self, user):
        lifetime = balance_of(user)["lifetime"]
        tier = next_tier(lifetime)
        if tier is None:
            return None
        return {
            "name": tier.name,
            "threshold": tier.threshold,
            "points_needed": tier.threshold - lifetime,
        }

    def get_referral_link(self, user) -> str:
        code = user.referral_code
        return self._absolute(reverse("rewards:referral_link", args=[code])) if code else ""


class PointsEntrySerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="user_id")

    class Meta:
        model = PointsEntry
        fields = ["id", "member", "action", "kind", "points", "reason", "created"]


class AdjustPointsSerializer(serializers.Serializer):
    points = serializers.IntegerField(
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text="Points to award (positive) or deduct (negative); not zero.",
    )
    reason = serializers.CharField(
        max_length=255, help_text="Why; the member sees it in their points history."
    )

    def validate_points(self, value):
        if value == 0:
            raise serializers.ValidationError("Enter a number of points other than zero.")
        return value


class AdjustmentResultSerializer(serializers.Serializer):
    entry = PointsEntrySerializer()
    points = PointsSerializer()


class PerkSerializer(serializers.ModelSerializer):
    min_tier = serializers.SerializerMethodField()
    left = serializers.SerializerMethodField(
        help_text="How many can still be redeemed (null: no limit)."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Perk
        fields = [
            "id", "slug", "title", "description", "cost", "min_tier", "left",
            "per_member_limit", "available_from", "available_until", "url",
        ]  # fmt: skip

    @extend_schema_field(TierSerializer(allow_null=True))
    def get_min_tier(self, perk):
        tier = perk.min_tier
        return {"name": tier.name, "threshold": tier.threshold} if tier else None

    def get_left(self, perk) -> int | None:
        return perk_left(perk, getattr(perk, "codes_left", None))

    def get_url(self, perk) -> str:
        request = self.context.get("request")
        path = reverse("rewards:perks")
        return request.build_absolute_uri(path) if request else path


class RedemptionPerkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Perk
        fields = ["id", "slug", "title"]


class RedemptionSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="user_id")
    perk = RedemptionPerkSerializer()
    code = serializers.SerializerMethodField(help_text="The code the member was given.")

    class Meta:
        model = Redemption
        fields = ["id", "member", "perk", "code", "points", "created"]

    def get_code(self, redemption) -> str:
        if redemption.code_id:
            return redemption.code.code
        return redemption.perk.shared_code


# --- Orders (hub.shop) ---------------------------------------------------------------------------
class LineItemSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField(required=False)
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderDataSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The shop's order id (unique per shop).")
    email = serializers.EmailField(help_text="The customer's e-mail address.")
    currency = serializers.CharField(required=False, help_text="ISO 4217; default: the shop's.")
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    line_items = LineItemSerializer(many=True, required=False)
    discount_codes = serializers.ListField(child=serializers.CharField(), required=False)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(required=False, allow_null=True)
    cancelled_at = serializers.DateTimeField(required=False, allow_null=True)


class OrderEventSerializer(serializers.Serializer):
    """The same body as the signed order webhook (a Standard Webhooks envelope)."""

    type = serializers.ChoiceField(
        choices=[
            "order.created",
            "order.paid",
            "order.partially_refunded",
            "order.refunded",
            "order.cancelled",
        ]
    )
    timestamp = serializers.DateTimeField(required=False)
    data = OrderDataSerializer()


class OrderResultSerializer(serializers.Serializer):
    status = serializers.CharField()
    event = serializers.IntegerField()
    order = serializers.CharField(help_text="The shop's order id.")
    order_status = serializers.CharField()
    created = serializers.BooleanField(help_text="Whether this event created the order.")
    member = serializers.BooleanField(help_text="Whether the order belongs to a member.")
    points = serializers.IntegerField(help_text="Points given (or taken back) by this event.")
    changes = serializers.ListField(child=serializers.CharField())
