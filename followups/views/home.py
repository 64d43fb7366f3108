"""Where a user lands: the home page of their role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from followups.roles import home_url_name


@login_required
def home(request):
    return redirect(home_url_name(request.user))


@login_required
def no_role(request):
    return render(request, "followups/no_role.html", status=403)
