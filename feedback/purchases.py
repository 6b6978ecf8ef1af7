"""What feedback does with a shop order (registered with hub.shop's order handlers): the member
becomes a verified buyer of the products whose SKUs they bought, their reviews of them say so,
and they are invited to review each product once, N days after the order."""

from hub.shop.handlers import OrderFacts

from .models import Product, Review, VerifiedPurchase
from .tasks import schedule_review_invitation


def record_purchase(facts: OrderFacts) -> int:
    """Record a paid order's products for its member; returns how many were new to them."""
    if facts.event != "order.paid" or not facts.skus:
        return 0
    products = list(Product.objects.filter(sku__in=facts.skus).exclude(sku="").only("pk"))
    if not products:
        return 0
    known = set(
        VerifiedPurchase.objects.filter(
            member_id=facts.member_id, product__in=products
        ).values_list("product_id", flat=True)
    )
    new = [
        VerifiedPurchase(
            member_id=facts.member_id,
            product=product,
            order_reference=facts.reference[:160],
            bought_at=facts.paid_at or facts.placed_at,
            invite_at=facts.review_invitation_at,
        )
        for product in products
        if product.pk not in known
    ]
    VerifiedPurchase.objects.bulk_create(new, ignore_conflicts=True)
    reviews = Review.objects.filter(author_id=facts.member_id, product__in=products)
    reviews.filter(collected=Review.ORGANIC).update(verified=True, collected=Review.VERIFIED)
    reviews.filter(verified=False).update(verified=True)
    for purchase in VerifiedPurchase.objects.filter(
        member_id=facts.member_id, product__in=[p.pk for p in products if p.pk not in known]
    ).only("pk", "invite_at"):
        schedule_review_invitation(purchase.pk, purchase.invite_at)
    return len(new)
