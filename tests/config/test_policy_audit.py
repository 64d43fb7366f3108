"""A calling policy's audit event says what changed, before → after (quiet hours too), and
the audit trail reads it in the user's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from followups.models import AuditAction, AuditEvent, CallingPolicy, CallingWindow
from tests.config.test_plans_and_policies import EN, policy_data, post_new_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(client, admin_user):
    """A policy saved on its page (10:30-11:30, 15:00-17:30, quiet after 21:00), its
    creation's event forgotten."""
    client.force_login(admin_user)
    assert post_new_policy(client, "10:30-11:30", "15:00-17:30").status_code == 302
    AuditEvent.objects.all().delete()
    return CallingPolicy.objects.get()


def edit(client, policy, windows=None, **fields):
    rows = [
        {"id": window.pk, "policy": policy.pk, "starts_at": f"{window.starts_at:%H:%M}"}
        | {"ends_at": f"{window.ends_at:%H:%M}"}
        for window in CallingWindow.objects.filter(policy=policy).order_by("starts_at")
    ]
    for row, (starts, ends) in zip(rows, windows or [], strict=False):
        row["starts_at"], row["ends_at"] = starts, ends
    data = policy_data(rows, initial=len(rows), **fields)
    response = client.post(reverse("config:policy", args=[policy.pk]), data, **EN)
    assert response.status_code == 302
    return AuditEvent.objects.get(action=AuditAction.CHANGE_POLICY)


def details(client, language="en") -> str:
    with translation.override(language):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        html = client.get(reverse("config:audit")).content.decode()
    cells = re.findall(r'<td class="small text-break audit-detail">(.*?)</td>', html, re.S)
    return re.sub(r"\s+", " ", " | ".join(re.sub(r"<[^>]+>", " ", cell) for cell in cells))


def test_a_change_of_quiet_hours_is_recorded_before_and_after(client, saved):
    event = edit(client, saved, quiet_after="20:30")

    assert event.detail == {"quiet_after": {"from": "21:00", "to": "20:30"}}


def test_only_what_changed_is_recorded(client, saved):
    event = edit(
        client, saved, windows=[("10:30", "11:30"), ("15:00", "17:00")], weekdays=list("01234")
    )

    assert event.detail == {
        "windows": {"from": ["10:30-11:30", "15:00-17:30"], "to": ["10:30-11:30", "15:00-17:00"]},
        "weekdays": {"from": "0123456", "to": "01234"},
    }


def test_a_save_that_changes_nothing_records_nothing_and_a_new_name_is_recorded(client, saved):
    client.post(
        reverse("config:policy", args=[saved.pk]),
        policy_data(
            [
                {"id": w.pk, "policy": saved.pk, "starts_at": f"{w.starts_at:%H:%M}"}
                | {"ends_at": f"{w.ends_at:%H:%M}"}
                for w in CallingWindow.objects.filter(policy=saved).order_by("starts_at")
            ],
            initial=2,
        ),
        **EN,
    )
    assert not AuditEvent.objects.exists()

    event = edit(client, saved, name="住院呼叫时段")

    assert event.detail == {"name": {"from": "门诊呼叫时段", "to": "住院呼叫时段"}}


def test_the_trail_reads_the_change_in_words(client, saved):
    edit(client, saved, quiet_before="09:00", quiet_after="20:30", holiday_rule="working_days")

    zh = details(client, "zh-hans")
    assert "最早呼叫时间 08:00 → 09:00" in zh
    assert "停止呼叫时间 21:00 → 20:30" in zh
    assert "quiet_after" not in zh and "from" not in zh
    en = details(client)
    assert "No calls after 21:00 → 20:30" in en
    assert "Holidays Skip public holidays → Official working days only" in en


def test_a_new_policy_is_recorded_whole_with_its_quiet_hours(client, admin_user):
    client.force_login(admin_user)
    post_new_policy(client, "09:00-11:00", quiet_before="08:30", quiet_after="20:00")

    event = AuditEvent.objects.get(action=AuditAction.CHANGE_POLICY)
    assert (event.detail["quiet_before"], event.detail["quiet_after"]) == ("08:30", "20:00")
    assert "No calls before 08:30" in details(client)
