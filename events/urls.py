"""URLs of the events app, mounted at the site root by hub/urls.py."""

app_name = "events"

urlpatterns = []
