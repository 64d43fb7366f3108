"""Work handed to the Celery worker, in one place, once the transaction that asked for it has
committed: nothing is sent for work that rolled back, and the worker reads what committed.

Services call these functions, never followups.tasks (tests/project/test_layers.py): the
tasks wrap services, so the tasks module is imported here, when the first job is enqueued.
Under CELERY_TASK_ALWAYS_EAGER (the tests) a job runs inline at the commit.
"""

import datetime as dt
from collections.abc import Callable
from types import ModuleType

from django.db import transaction


def _tasks() -> ModuleType:
    from followups import tasks  # imports services: loaded late to keep the import order

    return tasks


def build_call_lists(*, day: dt.date) -> None:
    """Build (or extend) the call list of `day`: a build adds only what is not listed yet."""
    task = _tasks().build_call_lists_task
    transaction.on_commit(lambda: task.delay(day.isoformat()))


def resync_plan_cases(*, plan_id: int) -> None:
    """Move the untouched tasks of every open case of a changed plan (tens of thousands of
    cases, perhaps: not in the admin's request)."""
    task = _tasks().resync_plan_cases_task
    transaction.on_commit(lambda: task.delay(plan_id))


def notify_urgent_escalation(*, escalation_id: int) -> None:
    """E-mail the supervisors about an urgent escalation, from the worker, not the agent's
    request. The escalation has committed by then: a broker that cannot be reached is
    logged (robust) and must not turn the agent's submit into an error."""
    task = _tasks().notify_urgent_escalation_task
    transaction.on_commit(lambda: task.delay(escalation_id), robust=True)


def run_import_job(*, job_id: int, unreachable: Callable[[Exception], None]) -> None:
    """Run a patient import job (services/import_jobs.py) in the worker. The job has
    committed by then: when the broker cannot be reached, `unreachable` is told (the job
    says it did not start) instead of the request that made it failing."""
    task = _tasks().run_import_job_task

    def send() -> None:
        try:
            task.delay(job_id)
        except Exception as error:  # kombu's connection errors are of many kinds
            unreachable(error)

    transaction.on_commit(send)
