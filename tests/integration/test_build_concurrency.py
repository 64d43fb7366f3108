"""Two list builds at once on real PostgreSQL still list every task exactly once."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from followups.models import CallList, Case, CaseKind, Customer, FollowUpTask, QueueEntry
from tests.factories import default_plan

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 23)
TASKS = 3000


def make_due_tasks(count: int) -> None:
    plan = default_plan()
    customers = Customer.objects.bulk_create(
        Customer(name=f"客户{n}", phone=f"+86139{n:08d}") for n in range(count)
    )
    cases = Case.objects.bulk_create(
        Case(customer=c, kind=CaseKind.DISCHARGE, anchor_date=DAY, plan=plan) for c in customers
    )
    FollowUpTask.objects.bulk_create(FollowUpTask(case=c, due_date=DAY) for c in cases)


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_two_builds_at_once_add_each_entry_once(postgres):
    make_due_tasks(TASKS)
    env = {**os.environ, "DATABASE_URL": database_url()}
    env["DJANGO_SETTINGS_MODULE"] = "callcenter.test_settings"
    command = [sys.executable, "manage.py", "build_call_lists", "--date", DAY.isoformat()]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
    assert CallList.objects.filter(day=DAY).count() == 1
    assert QueueEntry.objects.count() == TASKS
    # Each build reports what it added itself: together, every entry once.
    added = [int(re.search(rb"added (\d+) entries", out).group(1)) for out, _err in outputs]
    assert sum(added) == TASKS
    assert QueueEntry.objects.values("task_id").distinct().count() == TASKS
