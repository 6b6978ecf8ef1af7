"""/api/v1/: the core resources, those feature apps registered, the schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from .registry import resources
from .views import MemberViewSet, PerkViewSet

app_name = "api"

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("perks", PerkViewSet, basename="perk")
for resource in resources():
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
]
