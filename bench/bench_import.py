"""Benchmark: importing a 10,000-row discharge list, on real PostgreSQL.

Creates (drops first) the database `huifang_bench_import`, writes a CSV of discharged
patients with the HIS columns, and prints, measured in the same run: a raw bulk insert of
the same rows (psycopg2 execute_values into customer, patient, case and task tables, no
checks), the import service's commit (rows/s), and a re-import of the same file, which must
change nothing. Usage:

    DEBUG=1 .venv/bin/python bench/bench_import.py [--rows 10000] [--repeat 3]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import csv
import datetime as dt
import random
import statistics
import tempfile
from pathlib import Path

import common

PARSER = common.parser(__doc__, repeat=3)
PARSER.add_argument("--rows", type=int, default=10_000)
ARGS = common.start("huifang_bench_import", PARSER)

from django.db import connection  # noqa: E402
from psycopg2.extras import execute_values  # noqa: E402

from followups.models import Case, Department, FollowUpPlan, FollowUpTask, Hospital  # noqa: E402
from followups.services.imports import HEADERS, import_patients  # noqa: E402

OFFSETS = (3, 7, 30)
DEPARTMENTS = (("心内科", "cardiology"), ("骨科", "orthopedics"), ("普外科", "surgery"))
HEADER = list(HEADERS)  # the HIS export's columns, as the import reads them
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("秀英", "建国", "丽华", "志强", "桂英", "海涛", "玉兰", "晓东", "春梅", "振华")
DIAGNOSES = ("不稳定型心绞痛", "腰椎间盘突出症", "急性阑尾炎", "阵发性心房颤动", "胆囊结石")
TABLES = "followups_followuptask, followups_case, followups_patient, followups_customer"


def setup_center() -> tuple[Hospital, FollowUpPlan]:
    hospital, _departments = common.make_hospital(DEPARTMENTS, name="基准医院")
    _policy, plan = common.make_policy_and_plan(plan_name="出院回访计划", offsets=OFFSETS)
    return hospital, plan


def write_csv(path: Path, rows: int) -> list[list[str]]:
    rng = random.Random(20261126)
    table = []
    first_discharge = dt.date(2026, 10, 1)
    for n in range(rows):
        discharged = first_discharge + dt.timedelta(days=rng.randrange(60))
        admitted = discharged - dt.timedelta(days=rng.randrange(1, 15))
        phones = f"139{n:08d}"
        if n % 5 == 0:
            phones += f";137{n:08d}"
        table.append(
            [
                f"ZY{n:07d}",
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                rng.choice("男女"),
                phones,
                rng.choice(DEPARTMENTS)[0],
                rng.choice(SURNAMES) + "医生",
                rng.choice(DIAGNOSES),
                admitted.isoformat(),
                discharged.isoformat(),
                "是" if n % 20 == 0 else "否",
            ]
        )
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(table)
    return table


def clear() -> None:
    common.sql(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    common.sql("DELETE FROM followups_auditevent")


def raw_baseline(table: list[list[str]], hospital: Hospital, plan: FollowUpPlan) -> float:
    """The floor: the same rows straight into the four tables, no parsing rules, no checks."""
    departments = dict(Department.objects.filter(hospital=hospital).values_list("name", "pk"))
    steps = list(plan.steps.order_by("offset_days").values_list("pk", "offset_days"))
    return common.clocked(insert_raw, table, hospital, plan, departments, steps)[0]


def insert_raw(table, hospital: Hospital, plan: FollowUpPlan, departments: dict, steps: list):
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg2 cursor under Django's wrapper
        customers = execute_values(
            cursor,
            "INSERT INTO followups_customer (name, gender, phone, phone_secondary, timezone,"
            " preferred_slot, do_not_call, do_not_call_reason, recording_consent, created_at,"
            " updated_at) VALUES %s RETURNING id",
            [(r[1], "M" if r[2] == "男" else "F", "+86" + r[3][:11]) for r in table],
            template="(%s, %s, %s, '', '', 'any', false, '', false, now(), now())",
            page_size=5000,
            fetch=True,
        )
        patients = execute_values(
            cursor,
            "INSERT INTO followups_patient (customer_id, hospital_id, medical_record_number,"
            " department_id, attending_doctor, responsible_nurse, diagnosis, admitted_on,"
            " discharged_on, sensitive) VALUES %s RETURNING id",
            [
                (
                    c[0],
                    hospital.pk,
                    r[0],
                    departments[r[4]],
                    r[5],
                    "",
                    r[6],
                    r[7],
                    r[8],
                    r[9] == "是",
                )
                for c, r in zip(customers, table, strict=True)
            ],
            page_size=5000,
            fetch=True,
        )
        cases = execute_values(
            cursor,
            "INSERT INTO followups_case (customer_id, patient_id, kind, anchor_date,"
            " intent_class, plan_id, product, status, closed_reason, created_at) VALUES %s"
            " RETURNING id",
            [
                (c[0], p[0], r[8], plan.pk)
                for c, p, r in zip(customers, patients, table, strict=True)
            ],
            template="(%s, %s, 'discharge', %s, '', %s, '', 'open', '', now())",
            page_size=5000,
            fetch=True,
        )
        tasks = []
        for case, r in zip(cases, table, strict=True):
            discharged = dt.date.fromisoformat(r[8])
            for step, offset in steps:
                due = discharged + dt.timedelta(days=offset)
                tasks.append((case[0], step, due, f"{due.isoformat()} 10:30+08"))
        execute_values(
            cursor,
            "INSERT INTO followups_followuptask (case_id, step_id, kind, status, due_date,"
            " earliest_at, attempts, max_attempts, outcome_counts, status_reason,"
            " needs_number_fix, created_at, updated_at) VALUES %s",
            tasks,
            template="(%s, %s, 'scheduled', 'pending', %s, %s, 0, 3, '{}', '', false, now(),"
            " now())",
            page_size=5000,
        )


def timed_import(path: Path, hospital: Hospital) -> tuple[float, dict]:
    with path.open("rb") as handle:
        seconds, report = common.clocked(
            import_patients,
            file=handle,
            filename=path.name,
            actor=None,
            hospital=hospital,
            dry_run=False,
        )
    return seconds, report.counts


def main() -> None:
    args = ARGS
    hospital, plan = setup_center()
    path = Path(tempfile.mkdtemp()) / "discharges.csv"
    table = write_csv(path, args.rows)

    baseline, first, again = [], [], []
    for _ in range(args.repeat):
        clear()
        baseline.append(raw_baseline(table, hospital, plan))
        clear()
        seconds, counts = timed_import(path, hospital)
        assert counts["created"] == args.rows, counts
        first.append(seconds)
        tasks = FollowUpTask.objects.count()
        seconds, counts = timed_import(path, hospital)
        assert counts == {"created": 0, "updated": 0, "unchanged": args.rows, "refused": 0}
        assert FollowUpTask.objects.count() == tasks and Case.objects.count() == args.rows
        again.append(seconds)

    raw, imported, reimported = (statistics.median(x) for x in (baseline, first, again))
    print(
        f"\nimport of {args.rows:,} rows on PostgreSQL ({len(OFFSETS)} tasks a case),"
        f" median of {args.repeat}"
    )
    print(f"  raw bulk insert (execute_values): {raw:7.3f}s  {args.rows / raw:9,.0f} rows/s")
    print(
        f"  import_patients commit:           {imported:7.3f}s  {args.rows / imported:9,.0f}"
        f" rows/s  ({imported / raw:.1f}x the raw insert)"
    )
    print(
        f"  re-import (changes nothing):      {reimported:7.3f}s  "
        f"{args.rows / reimported:9,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
