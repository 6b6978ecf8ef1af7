"""URLs of the community app, mounted at the site root by hub/urls.py."""

app_name = "community"

urlpatterns = []
