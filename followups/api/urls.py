"""API URLs: /api/v1/ resources (the scripts' from scripts.api) and the call endpoints; the
OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

urlpatterns = [
    path("v1/", include("followups.api.calls")),
    path("v1/", include("followups.api.resources")),
    path("v1/", include("scripts.api")),
    # The schema and its docs are for signed-in users (session or token), like the API.
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[IsAuthenticated]),
        name="swagger-ui",
    ),
]
