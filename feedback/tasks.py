"""Background jobs of feedback: the invitation to review a product, some days after a member
bought it.

The deferred job (``run_after``, on backends that support it) sends it on the day;
``sweep_review_invitations`` (``manage.py send_review_invitations`` from cron) sends whatever a
stopped worker missed. Both end in ``invite_to_review``, whose conditional update invites each
member once per product, however often it runs.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from hub.notifications.services import notify
from hub.rewards.services import recipient_language

from .models import Review, VerifiedPurchase
from .services import invitation_token

logger = logging.getLogger(__name__)
INVITED_KIND = "feedback.review.invited"


def schedule_review_invitation(purchase_id: int, moment) -> bool:
    """Enqueue the invitation for ``moment`` once the purchase commits (if the backend defers)."""
    if not default_task_backend.supports_defer or moment is None:
        return False
    transaction.on_commit(
        lambda: send_review_invitation.using(run_after=moment).enqueue(purchase_id)
    )
    return True


def invite_to_review(purchase_id: int, *, now=None) -> bool:
    """Invite the member to review what they bought, once, when it is due and they have not
    reviewed it yet (a review written meanwhile closes the invitation without a message)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not VerifiedPurchase.objects.filter(
            pk=purchase_id, invited_at__isnull=True, invite_at__lte=now
        ).update(invited_at=now):
            return False
        purchase = VerifiedPurchase.objects.select_related("member", "product").get(pk=purchase_id)
        member, product = purchase.member, purchase.product
        if not member.is_active or not product.live:
            return False
        if Review.objects.filter(author=member, product=product).exists():
            return False
        url = reverse("feedback:write_review", kwargs={"slug": product.slug})
        with translation.override(recipient_language(member)):
            text = _("Thank you for buying %(product)s. How is it? Tell others in a review.") % {
                "product": product.name
            }
        notify(
            member,
            INVITED_KIND,
            text=text,
            url=f"{url}?invitation={invitation_token(member, product)}",
        )
    return True


@task()
def send_review_invitation(purchase_id: int) -> bool:
    return invite_to_review(purchase_id)


def due_purchase_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        VerifiedPurchase.objects.filter(invited_at__isnull=True, invite_at__lte=now)
        .order_by("invite_at")
        .values_list("pk", flat=True)
    )


@task()
def sweep_review_invitations() -> int:
    """Send every review invitation that is due; returns how many went out."""
    sent = 0
    for purchase_id in due_purchase_ids():
        try:
            sent += invite_to_review(purchase_id)
        except Exception:  # one broken purchase must not stop the others' invitations
            logger.exception("feedback: review invitation %s failed", purchase_id)
    return sent
