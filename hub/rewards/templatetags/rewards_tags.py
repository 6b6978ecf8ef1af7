"""Pieces other templates show: a member's tier and badges (profile pages, later the forum)."""

from django import template
from django.urls import reverse

from hub.rewards import queries, services

register = template.Library()


@register.inclusion_tag("rewards/includes/standing.html", takes_context=True)
def rewards_standing(context, member):
    is_self = context["request"].user == member
    return {
        "member": member,
        "standing": queries.standing(member),
        "badges": queries.badges_of(member),
        "is_self": is_self,
        # A member who keeps their points private shows their tier and badges, not the figures.
        "show_points": is_self or member.show_on_leaderboard,
    }


@register.inclusion_tag("rewards/includes/referrals.html", takes_context=True)
def referral_panel(context):
    """The signed-in member's share link with a copy button, and the friends who joined by it."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return {}
    link = reverse("rewards:referral_link", kwargs={"code": services.referral_code_for(user)})
    return {
        "share_url": request.build_absolute_uri(link),
        "conditions": queries.referral_conditions(),
        "rewards": queries.referral_rewards(),
        "bonus_every": queries.REFERRAL_BONUS_EVERY,
        **queries.referrals_of(user),
    }
