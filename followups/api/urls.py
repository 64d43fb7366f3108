"""API URLs: /api/v1/ resources and the call endpoints; schema and docs."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("followups.api.calls")),
    path("v1/", include("followups.api.resources")),
]
