"""Page URLs, one module a role (agent, supervisor, config); views check the role."""

from django.urls import include, path

from followups.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("no-role/", home.no_role, name="no_role"),
    path("agent/", include("followups.urls.agent")),
    path("supervisor/", include("followups.urls.supervisor")),
    path("config/", include("followups.urls.config")),
    path("people/", include("followups.urls.people")),
]
