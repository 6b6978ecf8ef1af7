from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/open/", views.notification_open, name="open"),
    path("<id:pk>/read/", views.notification_mark_read, name="mark_read"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
