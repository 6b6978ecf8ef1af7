"""Background jobs of the shop programme: the reminder before a come-back code expires (the
order deliveries the webhook accepted are applied by hub.shop.inbox's task).

As for event reminders, the deferred job (``run_after``, on backends that support it) is the
punctual path and ``sweep_comeback_reminders`` (``manage.py send_comeback_reminders`` from
cron) the safety net; both end in ``remind_comeback``, whose conditional update sends each
reminder once however often and from however many processes it runs.
"""

import logging

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from hub.notifications.services import notify
from hub.rewards.services import recipient_language, redemption_code

from .models import ComebackOffer

logger = logging.getLogger(__name__)
REMINDER_KIND = "shop.comeback.reminder"


def schedule_comeback_reminder(offer: ComebackOffer) -> bool:
    """Enqueue the reminder for its moment once the offer commits (when the backend can defer)."""
    if not default_task_backend.supports_defer:
        return False
    offer_id, moment = offer.pk, offer.remind_at
    transaction.on_commit(lambda: send_comeback_reminder.using(run_after=moment).enqueue(offer_id))
    return True


def remind_comeback(offer_id: int, *, now=None) -> bool:
    """Remind the member that their come-back code expires soon: once, only while it is due,
    unused and not expired yet. True when this call sent it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ComebackOffer.objects.filter(
            pk=offer_id,
            reminded_at__isnull=True,
            remind_at__lte=now,
            expires_at__gt=now,
            redemption__isnull=False,
            redemption__used_at__isnull=True,
        ).update(reminded_at=now)
        if not claimed:
            return False
        offer = ComebackOffer.objects.select_related(
            "member", "redemption__perk", "redemption__code"
        ).get(pk=offer_id)
        with translation.override(recipient_language(offer.member)):
            text = _(
                "Your come-back code %(code)s for “%(perk)s” expires on %(date)s. "
                "Use it on your next order!"
            ) % {
                "code": redemption_code(offer.redemption) or "—",
                "perk": offer.redemption.perk.title,
                "date": date_format(timezone.localtime(offer.expires_at), "DATE_FORMAT"),
            }
        notify(offer.member, REMINDER_KIND, text=text, url="/perks/mine/")
    return True


@task()
def send_comeback_reminder(offer_id: int) -> bool:
    return remind_comeback(offer_id)


def due_offer_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        ComebackOffer.objects.filter(
            reminded_at__isnull=True,
            remind_at__lte=now,
            expires_at__gt=now,
            redemption__used_at__isnull=True,
        )
        .order_by("remind_at")
        .values_list("pk", flat=True)
    )


@task()
def sweep_comeback_reminders() -> int:
    """Send every reminder that is due; returns how many went out."""
    sent = 0
    for offer_id in due_offer_ids():
        try:
            sent += remind_comeback(offer_id)
        except Exception:  # one broken offer must not stop the others' reminders
            logger.exception("shop: come-back reminder %s failed", offer_id)
    return sent
