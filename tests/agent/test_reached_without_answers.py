"""“Reached: complete” with no step of the script answered is most often a wrong click: the
form asks once, the agent confirms with “Record it anyway”. The API takes it as it is."""

import json

import pytest
from django.urls import reverse

from followups.models import CallAttempt
from tests.agent.conftest import COMPLETE_PATH, at, html_of, when

pytestmark = pytest.mark.django_db


def submit(client, entry, ticket, path=(), **fields):
    data = {"ticket": ticket, f"path_{entry.task_id}": json.dumps(list(path)), "notes": ""}
    data.update(fields)
    with when(at(10, 44)):
        return client.post(reverse("agent:outcome", args=[entry.pk]), data)


def test_a_reached_call_with_no_answer_is_refused_once_with_a_clear_message(client, held, ticket):
    html = html_of(submit(client, held, ticket, disposition="complete"))

    assert "No step of the script was answered on this call." in html
    assert 'name="record_without_answers"' in html
    assert CallAttempt.objects.count() == 0


def test_ticking_record_anyway_records_it(client, held, ticket):
    response = submit(client, held, ticket, disposition="complete", record_without_answers="on")

    assert response.status_code == 302
    assert CallAttempt.objects.get().disposition == "complete"


def test_answers_in_the_script_need_no_confirmation(client, held, ticket):
    response = submit(client, held, ticket, path=COMPLETE_PATH, disposition="complete")

    assert response.status_code == 302
    assert CallAttempt.objects.count() == 1


def test_no_answer_needs_no_confirmation(client, held, ticket):
    response = submit(client, held, ticket, disposition="no_answer")

    assert response.status_code == 302
    assert 'name="record_without_answers"' not in response.content.decode()
