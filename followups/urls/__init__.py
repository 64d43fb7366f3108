"""The page URLs in one table: the home, then a section a role (agent, supervisor, config)
and the people pages; views check the role.

Each section is included under its own namespace: "agent:home", "supervisor:report",
"config:plan", "people:detail".
"""

from django.urls import include, path

from followups.views import (
    agent,
    agent_list,
    config,
    config_audit,
    home,
    people,
    people_edits,
    supervisor,
    supervisor_queue,
    supervisor_reports,
)

# The agent's pages: the home list, the next call, the call screen and its parts.
agent_pages = [
    path("", agent.home, name="home"),
    path("next/", agent.next_call, name="next"),
    path("callbacks/", agent_list.callbacks, name="callbacks"),
    path("take/<int:pk>/", agent_list.take, name="take"),
    path("call/<int:pk>/put-back/", agent_list.put_back, name="put_back"),
    path("call/<int:pk>/", agent.call_screen, name="call"),
    path("call/<int:pk>/reveal/", agent.reveal, name="reveal"),
    path("call/<int:pk>/renew/", agent.renew, name="renew"),
    path("call/<int:pk>/script/", agent.script_step, name="script"),
    path("call/<int:pk>/callback-check/", agent.callback_check, name="callback_check"),
    path("call/<int:pk>/outcome/", agent.record, name="outcome"),
]

# The supervisor's pages: dashboard, outcomes, queue, escalations, reports and exports.
supervisor_pages = [
    path("", supervisor.home, name="home"),
    path("alerts/", supervisor.urgent_alerts, name="urgent_alerts"),
    path("calls/", supervisor.outcome_list, name="calls"),
    path("calls/<int:pk>/", supervisor.call_detail, name="call_detail"),
    path("calls/<int:pk>/review/", supervisor.review_call, name="review_call"),
    path("cases/<int:pk>/send-back/", supervisor.send_case_back, name="send_case_back"),
    path("queue/", supervisor_queue.queue, name="queue"),
    path("escalations/", supervisor.escalations, name="escalations"),
    path("escalations/<int:pk>/", supervisor.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/<slug:step>/", supervisor.escalation_step, name="escalation_step"),
    path("reports/<slug:name>/", supervisor_reports.report, name="report"),
    path("export/<slug:name>/<slug:table>.<slug:fmt>", supervisor_reports.export, name="export"),
]

# The admin's configuration pages: plans, calling rules, teams, duty, users, schedule, imports.
config_pages = [
    path("", config.home, name="home"),
    path("plans/new/", config.plan_edit, name="plan_new"),
    path("plans/<int:pk>/", config.plan_edit, name="plan"),
    path("policies/new/", config.policy_edit, name="policy_new"),
    path("policies/<int:pk>/", config.policy_edit, name="policy"),
    path("policies/<int:pk>/preview/", config.policy_preview, name="policy_preview"),
    path("policies/<int:pk>/holidays/", config.holidays, name="holidays"),
    path("teams/", config.teams, name="teams"),
    path("teams/new/", config.team_edit, name="team_new"),
    path("teams/<int:pk>/", config.team_edit, name="team"),
    path("duty/", config.duty, name="duty"),
    path("users/", config.users, name="users"),
    path("users/new/", config.user_new, name="user_new"),
    path("users/<int:pk>/", config.user_edit, name="user"),
    path("schedule/", config.schedule, name="schedule"),
    path("audit/", config_audit.audit, name="audit"),
    path("imports/", config.imports, name="imports"),
    path("imports/template.<slug:fmt>", config.import_template, name="import_template"),
    path("imports/jobs/<int:pk>/", config.import_job, name="import_job"),
    path("imports/jobs/<int:pk>/progress/", config.import_job_progress, name="import_job_progress"),
    path("imports/jobs/<int:pk>/confirm/", config.import_job_confirm, name="import_job_confirm"),
]

# The people pages: the search, a person's page and the edits of their records.
people_pages = [
    path("", people.search, name="search"),
    path("new/", people_edits.new_person, name="new"),
    path("<int:pk>/", people.detail, name="detail"),
    path("<int:pk>/contact/", people_edits.edit_contact, name="contact"),
    path("<int:pk>/stay/", people_edits.edit_stay, name="stay"),
    path("<int:pk>/deceased/", people_edits.deceased, name="deceased"),
    path("<int:pk>/cases/new/", people_edits.new_case, name="case_new"),
    path("<int:pk>/cases/<int:case_pk>/", people_edits.edit_case, name="case"),
    path("<int:pk>/cases/<int:case_pk>/intent/", people_edits.case_intent, name="case_intent"),
    path("<int:pk>/cases/<int:case_pk>/close/", people_edits.close_case, name="case_close"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("no-role/", home.no_role, name="no_role"),
    path("agent/", include((agent_pages, "agent"))),
    path("supervisor/", include((supervisor_pages, "supervisor"))),
    path("config/", include((config_pages, "config"))),
    path("people/", include((people_pages, "people"))),
]
