from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("members/suggest/", views.suggest_members, name="suggest"),
    path("u/<str:username>/", views.profile, name="profile"),
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
    path("accounts/delete/", views.account_delete, name="delete"),
    path("accounts/welcome/dismiss/", views.dismiss_welcome, name="dismiss_welcome"),
]
