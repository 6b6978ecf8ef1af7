"""URL configuration: site-wide endpoints and app URLs first, Wagtail's page catch-all last."""

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from hub import composer, views
from hub.api import views as api_views
from hub.content import views as content_views
from hub.i18n.urls import language_patterns
from hub.i18n.views import set_language
from hub.shop import views as shop_views

# 400 with the site's page (Django's default renders the template without the request).
handler400 = "hub.views.bad_request"
# 503 with Retry-After when the database dropped the connection or has none to spare.
handler500 = "hub.dbfaults.server_error"

# Outside the language patterns: machine addresses, the admin (its language is the editor's
# preference), the API, and the language switch itself.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", content_views.sitemap, name="sitemap"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Signed by the shop (Standard Webhooks), not a session: the one CSRF-exempt view.
    path("api/v1/webhooks/orders/", shop_views.order_webhook, name="shop_order_webhook"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("hub.api.urls")),
]

if settings.SERVE_MEDIA:
    # Development and tests; in production a proxy or object storage serves MEDIA_URL.
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", views.media)]

urlpatterns += [
    # Any other address under /api/ answers a problem-details 404, not the site's HTML page.
    re_path(r"^api/", api_views.not_found),
]

# The site members read: /community/ in the visitor's language, /he/community/ in Hebrew. The
# Wagtail catch-all is inside, so /he/ serves the Hebrew page tree.
urlpatterns += language_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("hub.accounts.urls")),
    path("notifications/", include("hub.notifications.urls")),
    path("", include("hub.rewards.urls")),
    # Feature apps, by dotted path like INSTALLED_APPS: hub's Python code imports none of them.
    path("", include("community.urls")),
    path("", include("feedback.urls")),
    path("", include("events.urls")),
    path("search/", content_views.search, name="search"),
    path("search/suggest/", content_views.suggest, name="search_suggest"),
    path("compose/upload/", composer.upload_image, name="compose_upload"),
    path("compose/preview/", composer.preview, name="compose_preview"),
    path("", include(wagtail_urls)),
)
