"""The agent's pages."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from followups import selectors
from followups.roles import WORK_QUEUE


@login_required
@permission_required(WORK_QUEUE, raise_exception=True)
def home(request):
    today = timezone.localdate()
    context = selectors.agent_day(agent=request.user, day=today)
    return render(request, "followups/agent/home.html", {"today": today, **context})


app_name = "agent"
urlpatterns = [
    path("", home, name="home"),
]
