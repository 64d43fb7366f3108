"""CSRF: every form of the configuration pages carries the token, and a POST without it
is refused."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.factories import CallingPolicyFactory, FollowUpPlanFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "config:home",
    "config:plan_new",
    "config:policy_new",
    "config:teams",
    "config:team_new",
    "config:duty",
    "config:users",
    "config:user_new",
    "config:schedule",
    "config:imports",
]


def test_every_post_form_of_the_configuration_pages_has_the_token(client, admin_user):
    plan = FollowUpPlanFactory(calling_policy=CallingPolicyFactory())
    client.force_login(admin_user)
    urls = [reverse(name) for name in PAGES] + [
        reverse("config:plan", args=[plan.pk]),
        reverse("config:policy", args=[plan.calling_policy_id]),
        reverse("config:holidays", args=[plan.calling_policy_id]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S | re.I)
        assert forms, url
        for form in forms:
            assert 'name="csrfmiddlewaretoken"' in form, url


def test_a_post_without_the_token_is_refused(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("config:schedule"), {"hour": 3, "minute": 0})
    assert response.status_code == 403
    assert PeriodicTask.objects.get(name="Build the daily call lists").crontab.hour == "7"
