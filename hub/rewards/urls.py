from django.urls import path, re_path

from . import views

app_name = "rewards"

urlpatterns = [
    path("points/", views.my_points, name="my_points"),
    path("points/how-to-earn/", views.how_to_earn, name="how_to_earn"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("perks/", views.perks, name="perks"),
    path("perks/mine/", views.my_perks, name="my_perks"),
    path("perks/<slug:slug>/redeem/", views.redeem_perk, name="redeem_perk"),
    re_path(r"^r/(?P<code>[A-Za-z0-9_-]{4,16})/?$", views.referral_link, name="referral_link"),
]
