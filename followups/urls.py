"""Page URLs, grouped by role so each group's permission is checked in one place."""

from django.urls import include, path

from followups.views import agent, config, home, supervisor

agent_urls = ([path("", agent.home, name="home")], "agent")
supervisor_urls = ([path("", supervisor.home, name="home")], "supervisor")
config_urls = ([path("", config.home, name="home")], "config")

urlpatterns = [
    path("", home.home, name="home"),
    path("no-role/", home.no_role, name="no_role"),
    path("agent/", include(agent_urls)),
    path("supervisor/", include(supervisor_urls)),
    path("config/", include(config_urls)),
]
