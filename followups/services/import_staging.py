"""A discharge list checked on the configuration page waits for the admin's confirmation:
the upload is kept under VAR_DIR/imports/ with a random name, checked (a dry run of
services/imports.py), and committed or forgotten. A checked file never confirmed is personal
data lying about: it is kept RETENTION at most, and a file with a refused row is not kept.

What the admin's session holds is `StagedImport.as_session()`: the file's name, never a path.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from followups.models import FollowUpPlan, Hospital
from followups.services.imports import ImportReport, import_patients

RETENTION = dt.timedelta(hours=24)


class StagedImportGone(LookupError):
    """The checked file is no longer there: confirmed already, or older than RETENTION."""


@dataclass(frozen=True)
class StagedImport:
    file: str  # the stored file's name under staging_dir()
    name: str  # the name it was uploaded with, to show
    hospital: int
    plan: int | None

    def as_session(self) -> dict:
        return {"file": self.file, "name": self.name, "hospital": self.hospital, "plan": self.plan}

    @classmethod
    def from_session(cls, data: dict) -> StagedImport:
        return cls(
            file=Path(data["file"]).name,  # a name, never a path out of the directory
            name=data["name"],
            hospital=data["hospital"],
            plan=data.get("plan"),
        )

    @property
    def path(self) -> Path:
        return staging_dir() / Path(self.file).name


@dataclass(frozen=True)
class CheckedUpload:
    report: ImportReport
    staged: StagedImport | None  # None: a row is refused, nothing waits for confirmation


def staging_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def check_upload(*, upload, hospital: Hospital, plan: FollowUpPlan | None, actor) -> CheckedUpload:
    """Keep `upload` (a Django UploadedFile) and check it as a dry run. It stays for the
    confirmation only when no row is refused; ImportFileError (nothing kept) when the file
    cannot be read as a discharge list (services/imports.py)."""
    folder = staging_dir()
    folder.mkdir(parents=True, exist_ok=True)
    forget_stale_uploads()
    staged = StagedImport(
        file=f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}",
        name=upload.name,
        hospital=hospital.pk,
        plan=plan.pk if plan else None,
    )
    with staged.path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        with staged.path.open("rb") as handle:
            report = import_patients(
                file=handle,
                filename=staged.file,
                actor=actor,
                hospital=hospital,
                dry_run=True,
                plan=plan,
            )
    except BaseException:
        staged.path.unlink(missing_ok=True)
        raise
    if report.refused:
        staged.path.unlink(missing_ok=True)
        return CheckedUpload(report=report, staged=None)
    return CheckedUpload(report=report, staged=staged)


def confirm_upload(*, staged: StagedImport, actor) -> ImportReport:
    """Commit a checked upload (all rows or none, as import_patients does). The file is gone
    afterwards, whatever happened: StagedImportGone when it was gone before (confirmed
    already, or kept longer than RETENTION); ImportFileError when the commit fails as a
    whole."""
    forget_stale_uploads()
    if not staged.path.is_file():
        raise StagedImportGone(staged.file)
    try:
        with staged.path.open("rb") as handle:
            return import_patients(
                file=handle,
                filename=staged.file,
                actor=actor,
                hospital=Hospital.objects.get(pk=staged.hospital),
                dry_run=False,
                plan=FollowUpPlan.objects.filter(pk=staged.plan).first() if staged.plan else None,
            )
    finally:
        staged.path.unlink(missing_ok=True)


def discard(staged: StagedImport | None) -> None:
    """Forget a checked upload that will not be confirmed (the admin checked another)."""
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
    "CheckedUpload",
    "StagedImport",
    "StagedImportGone",
    "check_upload",
    "confirm_upload",
    "discard",
    "forget_stale_uploads",
]
