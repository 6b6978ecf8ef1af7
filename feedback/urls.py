"""URLs of the feedback app, mounted at the site root by hub/urls.py."""

app_name = "feedback"

urlpatterns = []
