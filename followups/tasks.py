"""Celery tasks: thin wrappers that take plain values and call one service.

Services enqueue them through followups.enqueue (on commit), never by importing this module.
"""

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from followups import clock
from followups.services.call_lists import morning_build
from followups.services.cases import resync_plan_cases
from followups.services.escalations import notify_supervisors
from followups.services.import_jobs import run as run_import_job
from followups.services.leases import release_expired_leases

logger = logging.getLogger(__name__)


@shared_task(name="followups.build_call_lists")
def build_call_lists_task(day: str | None = None) -> dict:
    """Build the call list of `day` (ISO date; default today in the center's timezone)."""
    target = dt.date.fromisoformat(day) if day else clock.today()
    report = morning_build(day=target).as_dict()
    logger.info("call list %s: %s added, skipped %s", target, report["added"], report["skipped"])
    return report


@shared_task(name="followups.resync_plan_cases")
def resync_plan_cases_task(plan_id: int) -> int:
    """Move the untouched tasks of every open case of a plan the admin has changed."""
    return resync_plan_cases(plan_id=plan_id)


@shared_task(name="followups.release_expired_leases")
def release_expired_leases_task() -> int:
    """Put claimed calls whose lease ran out back to waiting (claims already treat them as
    free; this keeps the counts on the supervisor's pages true). Safe every minute."""
    released = release_expired_leases(now=timezone.now())
    if released:
        logger.info("released %s expired queue leases", released)
    return released


@shared_task(name="followups.notify_urgent_escalation")
def notify_urgent_escalation_task(escalation_id: int) -> int:
    """E-mail every active supervisor about an urgent escalation (ids only)."""
    return notify_supervisors(escalation_id=escalation_id)


@shared_task(name="followups.run_import_job")
def run_import_job_task(job_id: int) -> str | None:
    """Run a patient import job (ids only): its file is read from the staging folder, its
    progress and report written on the job. Returns the job's status (None: not queued)."""
    job = run_import_job(job_id=job_id)
    return job.status if job is not None else None
