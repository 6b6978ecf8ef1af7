"""Context every page needs: the navigation and the site's name."""

from django.conf import settings

from .navigation import nav_items


def site_chrome(request):
    return {"nav_items": nav_items(request.path), "site_name": settings.WAGTAIL_SITE_NAME}
