"""Page URLs: each views module owns its URLs and checks its role's permission."""

from django.urls import include, path

from followups.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("no-role/", home.no_role, name="no_role"),
    path("agent/", include("followups.views.agent")),
    path("supervisor/", include("followups.views.supervisor")),
    path("config/", include("followups.views.config")),
]
