"""API URLs: /api/v1/ resources (the scripts' from scripts.api) and the call endpoints; the
OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView


class Root(APIRootView):
    """/api/v1/ itself: a link to each collection (each checks its own permissions)."""

    permission_classes = [IsAuthenticated]
    schema = None  # a page of links, not an operation of the API


# Collection → its URL name; the routers' own root views are off, so one root lists all.
COLLECTIONS = {
    "departments": "department-list",
    "customers": "customer-list",
    "patients": "patient-list",
    "cases": "case-list",
    "tasks": "task-list",
    "call-lists": "call-list-list",
    "escalations": "escalation-list",
    "scripts": "script-list",
    "reports/summary": "report-summary",
    "imports/patients": "patient-import",
    "ping": "api-ping",
    "schema": "schema",
    "docs": "swagger-ui",
}

urlpatterns = [
    path("v1/", Root.as_view(api_root_dict=COLLECTIONS), name="api-root"),
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
