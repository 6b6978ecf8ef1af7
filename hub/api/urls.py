"""/api/v1/: the core resources, those feature apps registered, the schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .registry import resources
from .views import MemberViewSet, OrderViewSet, PerkViewSet

app_name = "api"

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("perks", PerkViewSet, basename="perk")
router.register("orders", OrderViewSet, basename="order")
for resource in resources():
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the installed sidecar package; the split view serves its start-up script as
    # a file, since the site's CSP allows no inline script. (drf-spectacular's Redoc page loads
    # fonts from Google, so it is not offered.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
