"""Patient imports as background jobs: a 100,000-row list outlives a web request (a commit was
killed at the worker's 30 s; a dry run took ~300 MB per worker). The request keeps the file
(services/import_staging.py) and makes an ImportJob; the worker runs it
(services/import_stream.py: the file read a chunk at a time, a commit in one transaction)
and writes its progress, then its counts and report, on the job.

The configuration page checks a file (a dry run whose file waits for the confirmation) and,
once the admin who checked it confirms, commits it in a second job. The API runs a file over
BACKGROUND_BYTES as a job (202), a smaller one in the request (services/imports.py).
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followups import enqueue
from followups.models import FollowUpPlan, Hospital, ImportJob, ImportJobStatus, ImportPhase
from followups.services import import_staging
from followups.services.import_rows import ImportFileError
from followups.services.import_staging import StagedImport, StagedImportGone
from followups.services.import_stream import Progress, StreamedReport, import_file

logger = logging.getLogger(__name__)

# An upload larger than this is imported by a job on the API: about 1,000 rows of a CSV, 2,500
# of an XLSX (its cells are compressed), which the request path commits in 1.5 to 4 s
# (bench/bench_import.py: 650 to 1,000 rows/s). A small file keeps its answer in one trip.
BACKGROUND_BYTES = 100 * 1024


class ImportNotConfirmable(Exception):
    """A check that cannot be confirmed (the message says why)."""


def runs_in_background(upload) -> bool:
    return upload.size > BACKGROUND_BYTES


# --- Starting a job ---------------------------------------------------------------------------


def start_check(*, upload, hospital: Hospital, plan: FollowUpPlan | None, actor) -> ImportJob:
    """The configuration page's check of a file: a dry run whose file waits for the
    confirmation when no row is refused. It replaces the admin's earlier check that waits."""
    staged = import_staging.stage_upload(upload=upload, hospital=hospital, plan=plan)
    for waiting in ImportJob.objects.filter(
        created_by=actor, confirmable=True, status=ImportJobStatus.DONE
    ).exclude(staged_file=""):
        _forget_file(waiting)
    return _queue(
        staged, ImportJob(created_by=actor, hospital=hospital, plan=plan, confirmable=True)
    )


def start_import(
    *, upload, hospital: Hospital, plan: FollowUpPlan | None, dry_run: bool, actor
) -> ImportJob:
    """An import from the API: a dry run or a commit, the file forgotten once it has run."""
    staged = import_staging.stage_upload(upload=upload, hospital=hospital, plan=plan)
    return _queue(
        staged, ImportJob(created_by=actor, hospital=hospital, plan=plan, dry_run=dry_run)
    )


def confirm(*, job: ImportJob, actor) -> ImportJob:
    """Commit the file a check kept: a new job. StagedImportGone when the file no longer
    waits (confirmed already, replaced by a newer check, kept longer than RETENTION);
    ImportNotConfirmable when the check is not one its admin may confirm."""
    import_staging.forget_stale_uploads()
    with transaction.atomic():
        check = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not check.confirmable or check.created_by_id != actor.pk:
            raise ImportNotConfirmable(_("Only the admin who checked a file can confirm it."))
        if check.status != ImportJobStatus.DONE:
            raise ImportNotConfirmable(_("The file is still being checked."))
        if check.refused:
            raise ImportNotConfirmable(
                _(
                    "Some rows are refused: nothing can be imported until they are corrected "
                    "in the file."
                )
            )
        staged = StagedImport.of(check)
        if not check.staged_file or not staged.path.is_file():
            raise StagedImportGone(check.staged_file)
        commit = ImportJob(
            created_by=actor,
            hospital_id=check.hospital_id,
            plan_id=check.plan_id,
            dry_run=False,
            confirms=check,
        )
        check.staged_file = ""  # the commit's now
        check.save(update_fields=["staged_file"])
        return _queue(staged, commit, discard_on_error=False)


def _queue(staged: StagedImport, job: ImportJob, *, discard_on_error: bool = True) -> ImportJob:
    """Save `job` on the staged file and hand it to the worker once it has committed; the
    file is forgotten when the job cannot be saved (unless it is a check's, kept for it)."""
    job.file_name = staged.name[: ImportJob._meta.get_field("file_name").max_length]
    job.staged_file = staged.file
    job.language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            job.save()
            enqueue.run_import_job(job_id=job.pk, unreachable=partial(_unreachable, job.pk))
    except BaseException:
        if discard_on_error:
            import_staging.discard(staged)
        raise
    return job


def _unreachable(job_id: int, error: Exception) -> None:
    logger.error("import job %s not sent to the worker: %r", job_id, error)
    job = ImportJob.objects.get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _fail(job, _("The import did not start: the background worker cannot be reached."))
    _forget_file(job)


# --- Running a job (the worker) ---------------------------------------------------------------


def run(*, job_id: int) -> ImportJob | None:
    """Run a queued job; None when it is not queued (a message delivered twice, or a job
    already failed). A file that cannot be read, or a refused row in a commit, fails the
    job with the reason; so does anything going wrong part way, and then nothing is kept:
    the commit is one transaction."""
    started = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now()
    )
    if not started:
        return None
    job = ImportJob.objects.select_related("hospital", "plan", "created_by").get(pk=job_id)
    writer = _ProgressWriter(job.pk)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            report = _run(job, writer.tell)
        except ImportFileError as error:
            _fail(job, str(error))
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _fail(
                job,
                _(
                    "The import stopped part way and nothing was written. Run it again; if it "
                    "stops again, tell the administrator."
                ),
            )
        else:
            _finish(job, report)
        finally:
            writer.close()
            if not _waits_for_confirmation(job):
                _forget_file(job)
    return job


def _run(job: ImportJob, tell) -> StreamedReport:
    staged = StagedImport.of(job)
    if not job.staged_file or not staged.path.is_file():
        raise ImportFileError(
            _("The file is no longer kept (files wait 24 hours at most): upload it again.")
        )
    with staged.path.open("rb") as handle:
        return import_file(
            file=handle,
            filename=staged.file,
            actor=job.created_by,
            hospital=job.hospital,
            dry_run=job.dry_run,
            plan=job.plan,
            progress=tell,
            audit_detail={"job": job.pk},
        )


def _finish(job: ImportJob, report: StreamedReport) -> None:
    job.rows_total = report.total
    job.rows_checked = job.rows_done = report.total
    for outcome, count in report.counts.items():
        setattr(job, outcome, count)
    job.committed = report.committed
    job.report = {
        "rows": [
            [result.row, result.medical_record_number, result.outcome, result.reasons]
            for result in report.rows
        ],
        "every_row": report.every_row,
        "unlisted": report.unlisted,
    }
    if job.dry_run or report.committed:
        job.status = ImportJobStatus.DONE
    else:
        job.status = ImportJobStatus.FAILED
        job.error = _("Nothing was written: correct the refused rows and import the file again.")
    job.phase = ImportPhase.WAITING
    job.finished_at = timezone.now()
    job.save()


def _fail(job: ImportJob, message: str) -> None:
    job.status = ImportJobStatus.FAILED
    job.error = message
    job.committed = False
    job.phase = ImportPhase.WAITING
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "committed", "phase", "finished_at"])


def _waits_for_confirmation(job: ImportJob) -> bool:
    """A clean check keeps its file for the confirmation, unless a newer check of the same
    admin replaced it meanwhile."""
    return (
        job.confirmable
        and job.status == ImportJobStatus.DONE
        and not job.refused
        and not ImportJob.objects.filter(
            created_by_id=job.created_by_id, confirmable=True, pk__gt=job.pk
        ).exists()
    )


def _forget_file(job: ImportJob) -> None:
    if job.staged_file:
        import_staging.discard(StagedImport.of(job))
        ImportJob.objects.filter(pk=job.pk).update(staged_file="")
        job.staged_file = ""


class _ProgressWriter:
    """Writes a job's progress where the page reads it while the job runs. A commit's
    writes are one transaction, which nobody sees until it ends: while it is open, the
    progress goes through a database connection of its own. SQLite takes one writer at a
    time: there, the writing shows no progress until it is done."""

    FIELDS = ("phase", "rows_total", "rows_checked", "rows_done")

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._own = None

    def tell(self, progress: Progress) -> None:
        values = {name: getattr(progress, name) for name in self.FIELDS}
        if progress.phase != ImportPhase.WRITING:
            ImportJob.objects.filter(pk=self.job_id).update(**values)
        elif connection.vendor != "sqlite":
            if self._own is None:
                self._own = connections.create_connection(DEFAULT_DB_ALIAS)
            query = UpdateQuery(ImportJob)
            query.add_update_values(values)
            query.add_filter("pk", self.job_id)
            sql, params = query.get_compiler(connection=self._own).as_sql()
            with self._own.cursor() as cursor:
                cursor.execute(sql, params)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


__all__ = [
    "BACKGROUND_BYTES",
    "ImportNotConfirmable",
    "StagedImportGone",
    "confirm",
    "run",
    "runs_in_background",
    "start_check",
    "start_import",
]
