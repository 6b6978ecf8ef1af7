"""The referral flags queue as a source of the one moderation queue (hub.moderation)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.moderation import ModerationAction, ModerationItem

from . import services
from .models import Referral

SOURCE = "rewards.referral"


def _flagged():
    return Referral.objects.filter(state=Referral.FLAGGED)


def flagged_referral_count() -> int:
    return _flagged().count()


def flagged_referral_items(limit: int) -> list[ModerationItem]:
    from django.urls import reverse

    items = []
    for referral in (
        _flagged().select_related("referrer", "referred").order_by("created", "pk")[:limit]
    ):
        details = [
            _("New member: %(name)s (%(email)s)")
            % {"name": referral.referred.username, "email": referral.referred.email}
        ]
        if referral.signup_ip:
            details.append(_("Signed up from %(ip)s") % {"ip": referral.signup_ip})
        items.append(
            ModerationItem(
                source=SOURCE,
                pk=referral.pk,
                kind=_("Referral"),
                title=_("%(referrer)s invited %(referred)s")
                % {"referrer": referral.referrer.username, "referred": referral.referred.username},
                excerpt=" · ".join(details),
                author=referral.referrer,  # who would earn the points
                reason=referral.flag_reason or _("Flagged for review"),
                waiting_since=referral.created,
                reports=1,
                admin_url=reverse("referrals:edit", args=[referral.pk]),
                actions=[
                    ModerationAction("clear", _("Clear flag"), needs_reason=True),
                    ModerationAction(
                        "reject", _("Reject referral"), destructive=True, needs_reason=True
                    ),
                ],
            )
        )
    return items


def act_on_referral(pk, action: str, *, by, reason: str) -> str:
    referral = Referral.objects.select_related("referrer", "referred").filter(pk=pk).first()
    if referral is None:
        raise services.RewardsError(_("This referral no longer exists."))
    if action == "clear":
        referral = services.clear_referral_flag(referral, by=by, reason=reason)
        if referral.state == Referral.QUALIFIED:
            return _("Flag cleared; the referral qualified and both members got their points.")
        return _("Flag cleared; the referral qualifies once the new member meets the conditions.")
    if action == "reject":
        services.reject_referral(referral, by=by, reason=reason)
        return _("Referral rejected: %(referral)s") % {"referral": referral}
    raise services.RewardsError(_("Unknown action."))


def register() -> None:
    from hub.moderation import register_moderation_source

    register_moderation_source(
        SOURCE,
        gettext_lazy("Referral flags"),
        count=flagged_referral_count,
        items=flagged_referral_items,
        act=act_on_referral,
        permission="rewards.change_referral",
        order=80,
    )
