"""A patient import run by the worker (services/import_jobs.py): who asked, which file, how far
it is, and what it found; the report lists the rows with something to say."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import json_object, optional_fk, optional_moment, protected_fk, status_field


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportPhase(models.TextChoices):
    WAITING = "", _("Waiting for the worker")
    CHECKING = "checking", _("Checking the rows")
    MATCHING = "matching", _("Comparing with the patients on file")
    WRITING = "writing", _("Writing")


# A job queued this long has not been picked up: the worker is probably not running.
QUEUED_TOO_LONG = dt.timedelta(minutes=2)


class ImportJob(models.Model):
    """One run over a staged file (services/import_staging.py): a dry run, or a commit that
    writes every row or none. A dry run from the configuration page is `confirmable`: its
    file waits for the admin's confirmation, which starts a commit job (`confirms` names the
    dry run it confirms).

    `report` is compact: {"rows": [[row, inpatient number, outcome, reasons], …],
    "every_row": bool, "unlisted": int}: every row when the file is small, else the rows with
    a reason (refused, or something left out), up to a limit; `unlisted` counts the ones
    beyond it.
    """

    created_by = optional_fk(settings.AUTH_USER_MODEL, "import_jobs", _("who"))
    hospital = protected_fk("followups.Hospital", "import_jobs", _("hospital"))
    plan = optional_fk("followups.FollowUpPlan", "+", _("plan of the new discharge cases"))
    file_name = models.CharField(_("file"), max_length=255)
    # The stored file's name under import_staging.staging_dir(); empty once it is forgotten.
    staged_file = models.CharField(max_length=64, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=True)
    confirmable = models.BooleanField(default=False)
    confirms = optional_fk("self", "confirmed_by", _("confirms"))
    language = models.CharField(max_length=10, blank=True)
    status = status_field(ImportJobStatus, ImportJobStatus.QUEUED, max_length=10)
    phase = models.CharField(max_length=10, choices=ImportPhase.choices, blank=True)
    # An estimate while the rows are checked; the count of data rows once they are.
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    committed = models.BooleanField(_("committed"), default=False)
    report = json_object()
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = optional_moment(_("started at"))
    finished_at = optional_moment(_("finished at"))

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def unpicked_for(self, now: dt.datetime) -> dt.timedelta | None:
        """How long the job has waited for the worker, once that is longer than
        QUEUED_TOO_LONG (the worker is probably not running); None before, or once picked
        up."""
        waited = now - self.created_at
        if self.status == ImportJobStatus.QUEUED and waited > QUEUED_TOO_LONG:
            return waited
        return None

    @property
    def finished(self) -> bool:
        return self.status in {ImportJobStatus.DONE, ImportJobStatus.FAILED}

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }

    @property
    def percent(self) -> int:
        """How far the job is: the check of the rows is the first half, the second reading
        (comparing, and writing for a commit) the other."""
        if self.status == ImportJobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        done = min(self.rows_checked, self.rows_total) + min(self.rows_done, self.rows_total)
        return min(99, 100 * done // (2 * self.rows_total))

    @property
    def report_rows(self) -> list[dict]:
        """The rows the report lists, as ImportReport.as_dict() gives them."""
        return [
            {"row": row, "medical_record_number": mrn, "outcome": outcome, "reasons": reasons}
            for row, mrn, outcome, reasons in self.report.get("rows", [])
        ]

    @property
    def refused_rows(self) -> list[dict]:
        return [row for row in self.report_rows if row["outcome"] == "refused"]

    def report_dict(self) -> dict:
        """The report in the shape of ImportReport.as_dict(), with what it leaves out:
        `every_row` (false: only the rows with a reason are listed) and `unlisted`."""
        return {
            "dry_run": self.dry_run,
            "committed": self.committed,
            "total": self.rows_total or 0,
            "counts": self.counts,
            "rows": self.report_rows,
            "every_row": bool(self.report.get("every_row", True)),
            "unlisted": int(self.report.get("unlisted", 0)),
        }
