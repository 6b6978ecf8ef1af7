"""Member pages of the advocate programme: my points, the leaderboards, perks, and share links."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hub.errors import Refusal

from . import queries, services
from .models import Perk
from .referral_cookie import remember_referral

PER_PAGE = 25


@login_required
@require_GET
def my_points(request):
    page_obj = Paginator(queries.history(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rewards/my_points.html",
        {
            "standing": queries.standing(request.user),
            "badges": queries.badges_of(request.user),
            "tiers": queries.tiers(),
            "page_obj": page_obj,
        },
    )


@require_GET
def how_to_earn(request):
    """Every active rule with its points and daily cap, and the tiers they lead to: open to
    visitors too, so people see what the programme rewards before they join."""
    if request.user.is_authenticated:
        services.record_how_to_earn_seen(by=request.user)
    return render(
        request,
        "rewards/how_to_earn.html",
        {"rules": queries.earning_rules(), "tiers": queries.tiers()},
    )


@require_GET
def leaderboard(request):
    board = request.GET.get("period", queries.ALL_TIME)
    if board not in queries.BOARDS:
        board = queries.ALL_TIME
    period = queries.period_key(board)
    rows = queries.top(period)
    mine = None
    if request.user.is_authenticated:
        listed = next((r for r in rows if r["user_id"] == request.user.pk), None)
        mine = listed or queries.rank_of(period, request.user)
    return render(
        request,
        "rewards/leaderboard.html",
        {"rows": rows, "board": board, "boards": queries.BOARDS, "mine": mine},
    )


@require_GET
def referral_link(request, code: str):
    """A member's share link: remember who invited the visitor, then offer them the sign-up."""
    if request.user.is_authenticated:
        return redirect("/")  # already a member: nobody gets credit for them
    response = redirect("account_signup" if getattr(settings, "SIGNUP_OPEN", True) else "/")
    if queries.referrer_by_code(code) is not None:
        remember_referral(request, response, code)
    return response


@require_GET
def perks(request):
    lifetime, spendable = queries.member_points(request.user)
    offers = queries.perk_offers(request.user, points=(lifetime, spendable))
    return render(request, "rewards/perks.html", {"offers": offers, "spendable": spendable})


@login_required
def redeem_perk(request, slug: str):
    """GET asks for confirmation, with the member's points before and after (a visitor who
    chose a perk lands here after signing in); POST redeems, then shows the code under My perks.
    A refusal goes back to the perks with why."""
    perk = get_object_or_404(Perk, slug=slug, is_active=True)
    if request.method != "POST":
        offer = queries.perk_offer(perk, request.user)
        if offer.reason:
            messages.error(request, offer.message)
            return redirect(f"{reverse('rewards:perks')}#perk-{perk.slug}")
        _lifetime, spendable = queries.member_points(request.user)
        return render(
            request,
            "rewards/redeem_confirm.html",
            {"offer": offer, "spendable": spendable, "after": spendable - perk.cost},
        )
    try:
        redemption = services.redeem_perk(perk, by=request.user)
    except Refusal as refused:
        messages.error(request, refused.message)
        return redirect(f"{reverse('rewards:perks')}#perk-{perk.slug}")
    messages.success(
        request,
        _("You redeemed “%(perk)s”. Here it is.") % {"perk": redemption.perk.title},
    )
    return redirect(f"{reverse('rewards:my_perks')}#redemption-{redemption.pk}")


@login_required
@require_GET
def my_perks(request):
    page_obj = Paginator(queries.redemptions_of(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "rewards/my_perks.html", {"page_obj": page_obj})
