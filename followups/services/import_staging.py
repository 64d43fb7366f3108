"""Uploaded discharge lists wait here for the worker (services/import_jobs.py): kept under
VAR_DIR/imports/ with a random name, checked by a dry run, then committed or forgotten. A
checked file never confirmed is personal data lying about: it is kept RETENTION at most, and
a file with a refused row is not kept once its check is done.

What pages and jobs hold of a file is its stored name (`StagedImport.file`), never a path.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from followups.models import FollowUpPlan, Hospital, ImportJob
from followups.services.import_rows import CSV_SUFFIXES, XLSX_SUFFIXES, ImportFileError

RETENTION = dt.timedelta(hours=24)


class StagedImportGone(LookupError):
    """The checked file is no longer there: confirmed already, or older than RETENTION."""


@dataclass(frozen=True)
class StagedImport:
    file: str  # the stored file's name under staging_dir()
    name: str  # the name it was uploaded with, to show
    hospital: int
    plan: int | None

    @classmethod
    def of(cls, job: ImportJob) -> StagedImport:
        """The file an import job reads."""
        return cls(
            file=Path(job.staged_file).name,  # a name, never a path out of the directory
            name=job.file_name,
            hospital=job.hospital_id,
            plan=job.plan_id,
        )

    @property
    def path(self) -> Path:
        return staging_dir() / Path(self.file).name


def staging_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def stage_upload(*, upload, hospital: Hospital, plan: FollowUpPlan | None) -> StagedImport:
    """Keep `upload` (a Django UploadedFile) under a random name, a chunk at a time; the
    stale files go first. ImportFileError (nothing kept) for a file that is not a CSV or an
    XLSX by its name."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ImportFileError(_("Upload a CSV or XLSX file."))
    folder = staging_dir()
    folder.mkdir(parents=True, exist_ok=True)
    forget_stale_uploads()
    staged = StagedImport(
        file=f"{secrets.token_hex(16)}{suffix}",
        name=upload.name,
        hospital=hospital.pk,
        plan=plan.pk if plan else None,
    )
    try:
        with staged.path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
    except BaseException:
        staged.path.unlink(missing_ok=True)
        raise
    return staged


def discard(staged: StagedImport | None) -> None:
    """Forget a staged file: imported, refused, or replaced by the admin's next check."""
    if staged is not None:
        staged.path.unlink(missing_ok=True)


def forget_stale_uploads(*, now: float | None = None) -> int:
    """Delete the checked files older than RETENTION; returns how many."""
    folder = staging_dir()
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - RETENTION.total_seconds()
    forgotten = 0
    for stale in folder.iterdir():
        if stale.is_file() and stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
            forgotten += 1
    return forgotten


__all__ = [
    "RETENTION",
    "StagedImport",
    "StagedImportGone",
    "discard",
    "forget_stale_uploads",
    "stage_upload",
    "staging_dir",
]
