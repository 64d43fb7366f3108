"""The supervisor's pages."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from followups import selectors
from followups.roles import REVIEW_OUTCOMES


@login_required
@permission_required(REVIEW_OUTCOMES, raise_exception=True)
def home(request):
    today = timezone.localdate()
    context = selectors.supervisor_overview(day=today)
    return render(request, "followups/supervisor/home.html", {"today": today, **context})


app_name = "supervisor"
urlpatterns = [
    path("", home, name="home"),
]
