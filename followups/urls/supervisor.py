"""The supervisor's pages: dashboard, outcomes, queue, escalations, reports and exports."""

from django.urls import path

from followups.views import supervisor as views
from followups.views import supervisor_queue, supervisor_reports

app_name = "supervisor"
urlpatterns = [
    path("", views.home, name="home"),
    path("alerts/", views.urgent_alerts, name="urgent_alerts"),
    path("calls/", views.outcome_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/review/", views.review_call, name="review_call"),
    path("cases/<int:pk>/send-back/", views.send_case_back, name="send_case_back"),
    path("queue/", supervisor_queue.queue, name="queue"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/<slug:step>/", views.escalation_step, name="escalation_step"),
    path("reports/<slug:name>/", supervisor_reports.report, name="report"),
    path("export/<slug:name>/<slug:table>.<slug:fmt>", supervisor_reports.export, name="export"),
]
