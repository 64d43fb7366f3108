"""The admin's configuration pages."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from followups import selectors
from followups.roles import CONFIGURE_CENTER


@login_required
@permission_required(CONFIGURE_CENTER, raise_exception=True)
def home(request):
    context = selectors.configuration_overview(today=timezone.localdate())
    return render(request, "followups/config/home.html", context)


app_name = "config"
urlpatterns = [
    path("", home, name="home"),
]
