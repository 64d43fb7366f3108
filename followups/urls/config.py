"""The admin's configuration pages: plans, calling rules, teams, duty, users, schedule, imports."""

from django.urls import path

from followups.views import config as views
from followups.views import config_audit

app_name = "config"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", views.plan_edit, name="plan"),
    path("policies/new/", views.policy_edit, name="policy_new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy"),
    path("policies/<int:pk>/preview/", views.policy_preview, name="policy_preview"),
    path("policies/<int:pk>/holidays/", views.holidays, name="holidays"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_edit, name="team_new"),
    path("teams/<int:pk>/", views.team_edit, name="team"),
    path("duty/", views.duty, name="duty"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_edit, name="user"),
    path("schedule/", views.schedule, name="schedule"),
    path("audit/", config_audit.audit, name="audit"),
    path("imports/", views.imports, name="imports"),
    path("imports/template.<slug:fmt>", views.import_template, name="import_template"),
    path("imports/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("imports/jobs/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("imports/jobs/<int:pk>/confirm/", views.import_job_confirm, name="import_job_confirm"),
]
