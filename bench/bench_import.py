"""Benchmark: importing a 10,000-row discharge list, on real PostgreSQL; and 100,000 rows as a job.

Creates (drops first) the database `huifang_bench_import`, writes a CSV of discharged
patients with the HIS columns, and prints, measured in the same run: a raw bulk insert of
the same rows (psycopg2 execute_values into customer, patient, case and task tables, no
checks), the import service's commit (rows/s), and a re-import of the same file, which must
change nothing.

Then a file of --job-rows rows (100,000 by default) is imported both ways, a dry run and a
commit each: in the request (services/imports.import_patients, the whole table in memory)
and as a background job (services/import_jobs: the file staged, the job run by its Celery
task, eagerly, reading the file a chunk at a time). Each runs in a forked process of its
own, with DEBUG off as in production (no query log), and its peak memory is that process's
growth in resident memory (VmHWM after the run less VmRSS before it). Usage:

    DEBUG=1 .venv/bin/python bench/bench_import.py [--rows 10000] [--repeat 3]
        [--job-rows 100000]

BENCH_DATABASE names another database (to run beside another copy of the bench).
"""

import csv
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import traceback
from pathlib import Path

import common

PARSER = common.parser(__doc__, repeat=3)
PARSER.add_argument("--rows", type=int, default=10_000)
PARSER.add_argument(
    "--job-rows", type=int, default=100_000, help="rows of the request-or-job comparison (0: none)"
)
ARGS = common.start(
    "huifang_bench_import",
    PARSER,
    var_dir="huifang_bench_import",
    env={"CELERY_TASK_ALWAYS_EAGER": "true"},
)

from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection, connections  # noqa: E402
from psycopg2.extras import execute_values  # noqa: E402

from followups.models import (  # noqa: E402
    Case,
    Department,
    FollowUpPlan,
    FollowUpTask,
    Hospital,
    ImportJob,
    Patient,
)
from followups.services import import_jobs  # noqa: E402
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
    if args.job_rows:
        request_or_job(hospital, args.job_rows)


# --- The request or a job --------------------------------------------------------------------


def in_the_request(path: Path, hospital_id: int, dry_run: bool) -> dict:
    with path.open("rb") as handle:
        report = import_patients(
            file=handle,
            filename=path.name,
            actor=None,
            hospital=Hospital.objects.get(pk=hospital_id),
            dry_run=dry_run,
        )
    return {"counts": report.counts, "committed": report.committed}


def as_a_job(path: Path, hospital_id: int, dry_run: bool) -> dict:
    """What the API does with a large file, and the worker's run of the job (the task runs
    eagerly, at the commit of the job's creation)."""
    with path.open("rb") as handle:
        job = import_jobs.start_import(
            upload=File(handle, name=path.name),
            hospital=Hospital.objects.get(pk=hospital_id),
            plan=None,
            dry_run=dry_run,
            actor=None,
        )
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "done", (job.status, job.error)
    return {
        "counts": job.counts,
        "committed": job.committed,
        "job_seconds": (job.finished_at - job.started_at).total_seconds(),
    }


def _kilobytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise LookupError(field)


def in_a_process(function, *args) -> dict:
    """`function(*args)` in a forked process: its result, seconds, and peak memory (MB, the
    growth of the process's resident memory while it ran)."""
    connections.close_all()  # the child opens its own
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read)
            # As in production: DEBUG (which the bench runs with) keeps the text of the last
            # 9,000 queries, bulk inserts of thousands of rows among them.
            settings.DEBUG = False
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # resets the peak (VmHWM) to the present
            before = _kilobytes("VmRSS")
            seconds, result = common.clocked(function, *args)
            peak = (_kilobytes("VmHWM") - before) / 1024
            with os.fdopen(write, "w") as out:
                json.dump({**result, "seconds": seconds, "peak_mb": peak}, out)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0 and text, "the measured process failed"
    return json.loads(text)


def request_or_job(hospital: Hospital, rows: int) -> None:
    path = Path(tempfile.mkdtemp()) / "discharges_large.csv"
    write_csv(path, rows)
    megabytes = path.stat().st_size / 2**20
    common.progress(f"{rows:,} rows ({megabytes:.1f} MB): the request's dry run")
    clear()
    figures = {}
    for name, function, dry_run in [
        ("request, dry run", in_the_request, True),
        ("job, dry run", as_a_job, True),
        ("request, commit", in_the_request, False),
        ("job, commit", as_a_job, False),
    ]:
        common.progress(f"{name}")
        if not dry_run:
            clear()
        figures[name] = measured = in_a_process(function, path, hospital.pk, dry_run)
        expected = {"created": rows, "updated": 0, "unchanged": 0, "refused": 0}
        assert measured["counts"] == expected, measured
        assert measured["committed"] is (not dry_run)
        if not dry_run:
            written = (Patient.objects.count(), Case.objects.count(), FollowUpTask.objects.count())
            assert written == (rows, rows, rows * len(OFFSETS)), written
    print(
        f"\n{rows:,} rows ({megabytes:.1f} MB CSV): in the request, or as a job"
        " (each in a process of its own; memory: its peak growth in resident memory)"
    )
    for name, measured in figures.items():
        job = measured.get("job_seconds")
        worker = f"  (the job itself {job:6.1f}s)" if job is not None else ""
        print(
            f"  {name:17} {measured['seconds']:7.1f}s  {rows / measured['seconds']:7,.0f} rows/s"
            f"  peak +{measured['peak_mb']:6.1f} MB{worker}"
        )


if __name__ == "__main__":
    main()
