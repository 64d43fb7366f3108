"""Django admin keeps to the audit trail: numbers show masked on every page (a number is
changed through a field that does not show the one on file), admin search is no phone
lookup, and call records and the audit trail are append-only, even for superusers."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from followups.models import AuditAction, AuditEvent, CallAttempt, ScriptAnswer, TaskStatus
from followups.services import audit
from tests.factories import (
    CallAttemptFactory,
    CaseFactory,
    CustomerFactory,
    FollowUpTaskFactory,
    PatientFactory,
    UserFactory,
    default_plan,
)

pytestmark = pytest.mark.django_db

NUMBER = "+8613897654321"
# What no page may show: the digits the mask hides, in any format.
HIDDEN_DIGITS = "9765"
MASKED = "138****4321"


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture(params=["admin role", "superuser"])
def staff(request, admin_user, superuser):
    return admin_user if request.param == "admin role" else superuser


@pytest.fixture
def customer():
    customer = CustomerFactory(name="李秀英", phone=NUMBER, phone_secondary="+8613911112222")
    PatientFactory(customer=customer)
    return customer


@pytest.fixture
def attempt(agent, customer):
    task = FollowUpTaskFactory(case=CaseFactory(customer=customer))
    attempt = CallAttemptFactory(task=task, agent=agent, dialled_number=NUMBER)
    ScriptAnswer.objects.create(attempt=attempt, position=0, node_id="greet", value="是")
    return attempt


def page(client, name, *args, **query):
    response = client.get(reverse(f"admin:{name}", args=args), query)
    assert response.status_code == 200, response.status_code
    return response


def customer_form(client, customer, **changes):
    """The change form's POST for `customer` as it is (its patient inline untouched)."""
    response = page(client, "followups_customer_change", customer.pk)
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is None or value is False:
                    continue
                data[f"{formset.prefix}-{index}-{name}"] = "on" if value is True else value
    data.update(changes)
    return data


# --- Numbers are masked on every admin page ---------------------------------------------------


def test_the_customer_change_form_shows_the_numbers_masked(client, staff, customer):
    client.force_login(staff)
    html = page(client, "followups_customer_change", customer.pk).content.decode()
    assert HIDDEN_DIGITS not in html
    assert "1111" not in html  # the second number's hidden digits
    assert MASKED in html


def test_the_customer_list_shows_the_numbers_masked(client, staff, customer):
    client.force_login(staff)
    html = page(client, "followups_customer_changelist").content.decode()
    assert HIDDEN_DIGITS not in html
    assert MASKED in html


def test_a_new_number_is_typed_in_without_the_old_one_shown(client, admin_user, customer):
    client.force_login(admin_user)
    url = reverse("admin:followups_customer_change", args=[customer.pk])
    response = client.post(url, customer_form(client, customer, new_phone="+8613722223333"))
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert customer.phone == "+8613722223333"
    assert customer.phone_secondary == "+8613911112222"


def test_an_empty_number_field_keeps_the_number_on_file(client, admin_user, customer):
    client.force_login(admin_user)
    url = reverse("admin:followups_customer_change", args=[customer.pk])
    data = customer_form(client, customer, name="李秀兰")
    assert data.get("new_phone", "") == ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("李秀兰", NUMBER)
    assert customer.phone_secondary == "+8613911112222"


def test_a_new_number_in_admin_resumes_the_calls_held_for_a_wrong_one(client, admin_user, customer):
    case = CaseFactory(customer=customer, plan=default_plan(offsets=[3]))
    held = FollowUpTaskFactory(
        case=case, status=TaskStatus.SUSPENDED, needs_number_fix=True, step=case.plan.steps.get()
    )
    client.force_login(admin_user)
    url = reverse("admin:followups_customer_change", args=[customer.pk])
    response = client.post(url, customer_form(client, customer, new_phone="+8613722223333"))
    assert response.status_code == 302, response.content.decode()[:3000]
    held.refresh_from_db()
    assert (held.status, held.needs_number_fix) == (TaskStatus.PENDING, False)
    assert AuditEvent.objects.filter(action=AuditAction.NUMBER_FIXED).exists()


def test_the_call_record_shows_the_dialled_number_masked(client, staff, attempt):
    client.force_login(staff)
    html = page(client, "followups_callattempt_change", attempt.pk).content.decode()
    assert HIDDEN_DIGITS not in html
    assert MASKED in html
    html = page(client, "followups_callattempt_changelist").content.decode()
    assert HIDDEN_DIGITS not in html


def test_no_admin_page_of_a_call_or_person_shows_a_full_number(client, staff, attempt, customer):
    client.force_login(staff)
    case = attempt.task.case
    pages = [
        ("followups_patient_change", customer.patient.pk),
        ("followups_patient_changelist",),
        ("followups_case_change", case.pk),
        ("followups_case_changelist",),
        ("followups_followuptask_change", attempt.task.pk),
        ("followups_scriptanswer_changelist",),
        ("followups_scriptanswer_change", attempt.answers.get().pk),
    ]
    for name, *args in pages:
        assert HIDDEN_DIGITS not in page(client, name, *args).content.decode(), name


# --- Admin search is no phone lookup ----------------------------------------------------------


@pytest.mark.parametrize("typed", [NUMBER, "13897654321", "138 9765 4321"])
def test_admin_search_finds_nobody_by_phone_number(client, staff, customer, typed):
    client.force_login(staff)
    response = page(client, "followups_customer_changelist", q=typed)
    assert response.context["cl"].result_count == 0


def test_admin_search_still_finds_people_by_name(client, staff, customer):
    client.force_login(staff)
    response = page(client, "followups_customer_changelist", q="李秀英")
    assert response.context["cl"].result_count == 1


# --- Call records and the audit trail are append-only -----------------------------------------


def test_a_call_record_cannot_be_changed_in_admin(client, staff, attempt):
    client.force_login(staff)
    url = reverse("admin:followups_callattempt_change", args=[attempt.pk])
    response = client.get(url)
    assert response.context["has_change_permission"] is False
    response = client.post(url, {"disposition": "refused", "notes": "改过"})
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.disposition == "complete"


def test_a_call_record_cannot_be_deleted_in_admin(client, staff, attempt):
    client.force_login(staff)
    url = reverse("admin:followups_callattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:followups_callattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert CallAttempt.objects.filter(pk=attempt.pk).exists()
    assert attempt.answers.count() == 1


def test_a_call_record_cannot_be_added_in_admin(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:followups_callattempt_add")).status_code == 403


def test_script_answers_cannot_be_changed_deleted_or_added_in_admin(client, staff, attempt):
    client.force_login(staff)
    answer = attempt.answers.get()
    change = reverse("admin:followups_scriptanswer_change", args=[answer.pk])
    assert client.post(change, {"value": "否"}).status_code == 403
    delete = reverse("admin:followups_scriptanswer_delete", args=[answer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:followups_scriptanswer_add")).status_code == 403
    answer.refresh_from_db()
    assert answer.value == "是"


def test_the_answers_inline_of_a_call_record_is_read_only(client, staff, attempt):
    client.force_login(staff)
    response = page(client, "followups_callattempt_change", attempt.pk)
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
        assert not inline.has_add_permission


def test_audit_events_cannot_be_added_changed_or_deleted_in_admin(client, staff):
    event = audit.record(actor=staff, action=AuditAction.EXPORT, rows=3)
    client.force_login(staff)
    assert client.get(reverse("admin:followups_auditevent_add")).status_code == 403
    change = reverse("admin:followups_auditevent_change", args=[event.pk])
    assert client.post(change, {"action": "export"}).status_code == 403
    delete = reverse("admin:followups_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("model", [CallAttempt, ScriptAnswer, AuditEvent])
def test_append_only_records_offer_no_bulk_delete(staff, model):
    request = RequestFactory().get("/")
    request.user = staff
    assert "delete_selected" not in admin.site._registry[model].get_actions(request)
