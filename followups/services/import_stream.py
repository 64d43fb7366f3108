"""The import of services/imports.py on a file read a chunk at a time, for files too long for
one request (services/import_jobs.py runs it in the worker). The rules are the same — the
same checks (import_rows.py), the same matching with stored patients and the same writes
(imports.py) —, and so is the outcome: a commit writes every row or none.

The file is read twice; neither reading holds more than a chunk of rows:
1. the check: every row parsed and checked, duplicates found. What is kept across the file
   is the 住院号 of each row and the numbers of the refused rows, not the rows;
2. CHUNK_ROWS at a time, the good rows matched with the stored patients and, for a commit
   with no refused row, written: every chunk inside one transaction, so that a failure
   anywhere leaves nothing written.
`progress` hears how far each reading is, every chunk.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from typing import IO

from django.db import transaction

from followups import clock
from followups.models import Department, FollowUpPlan, Hospital, ImportPhase
from followups.services.import_rows import (
    Outcome,
    RowResult,
    RowStream,
    _check_row,
    departments_by_name,
    refuse_repeat,
)
from followups.services.imports import (
    _known_patients,
    _plan_changes,
    _write,
    audit_import,
    discharge_plan,
    refuse_uncovered,
    refused_if_raced,
    summary,
)
from followups.services.plan_rules import DischargePlans

CHUNK_ROWS = 2000
# A report lists every row of a file this long; of a longer one, the rows with a reason.
EVERY_ROW_UP_TO = 1000
# The most rows a report lists (refused rows first): a file of 100,000 refused rows says so
# in its counts, and lists these.
LISTED_ROWS = 10_000


@dataclass(frozen=True)
class Progress:
    phase: str  # an ImportPhase
    rows_total: int | None  # an estimate while the rows are checked
    rows_checked: int
    rows_done: int


@dataclass
class StreamedReport:
    dry_run: bool
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rows: list[RowResult] = field(default_factory=list)  # the rows listed, in file order
    every_row: bool = True
    unlisted: int = 0  # rows with a reason the report leaves out (over LISTED_ROWS)
    committed: bool = False

    @property
    def refused(self) -> int:
        return self.counts.get(Outcome.REFUSED, 0)

    def as_dict(self) -> dict:
        """ImportReport.as_dict(), with `every_row` and `unlisted`."""
        return {**summary(self), "every_row": self.every_row, "unlisted": self.unlisted}


def _ignore(progress: Progress) -> None:
    pass


@dataclass
class _Checked:
    """What the first reading keeps of the file."""

    total: int = 0
    refused_rows: set[int] = field(default_factory=set)
    refused: list[RowResult] = field(default_factory=list)  # LISTED_ROWS at most
    good_mrns: set[str] = field(default_factory=set)


def import_file(
    *,
    file: IO[bytes],
    filename: str,
    actor,
    hospital: Hospital,
    dry_run: bool,
    plan: FollowUpPlan | None = None,
    progress: Callable[[Progress], None] = _ignore,
    chunk_rows: int | None = None,
    audit_detail: dict | None = None,
) -> StreamedReport:
    """Check every row of `file` (seekable: it is read twice) and, unless `dry_run` or a row
    is refused, write them all in one transaction. ImportFileError when the file cannot be
    read as a discharge list, or another import wrote the same patients meanwhile."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    departments = departments_by_name(hospital)
    today = clock.today()
    plan = discharge_plan(plan, hospital=hospital)
    checked = _check(file, filename, departments, plan, today, progress, chunk_rows)
    report = StreamedReport(
        dry_run=dry_run, total=checked.total, every_row=checked.total <= EVERY_ROW_UP_TO
    )
    write = not dry_run and not checked.refused_rows
    compare = _Compare(
        hospital=hospital,
        plan=plan,
        actor=actor,
        departments=departments,
        today=today,
        checked=checked,
        write=write,
        every_row=report.every_row,
        progress=progress,
    )
    with refused_if_raced(), transaction.atomic() if write else nullcontext():
        compare.run(file, filename, chunk_rows)
        report.committed = write
        report.counts = {
            outcome: compare.counts[outcome]
            for outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED)
        }
        report.counts[Outcome.REFUSED] = len(checked.refused_rows)
        audit_import(report, actor=actor, hospital=hospital, **(audit_detail or {}))
    report.rows, report.unlisted = _listed(checked, compare)
    return report


def _check(
    file: IO[bytes],
    filename: str,
    departments: dict[str, Department],
    plans: DischargePlans,
    today: dt.date,
    progress: Callable[[Progress], None],
    chunk_rows: int,
) -> _Checked:
    """The first reading: each row checked, the refused ones kept by number."""
    checked = _Checked()
    first_row: dict[str, int] = {}
    file.seek(0)
    with RowStream(file, filename) as rows:
        estimate = rows.estimate
        progress(Progress(ImportPhase.CHECKING, estimate, 0, 0))
        for row, values in enumerate(rows, 2):
            parsed = _check_row(values, row, departments, today)
            result = parsed.result
            refuse_repeat(result, first_row)
            refuse_uncovered(parsed, plans)
            if result.outcome == Outcome.REFUSED:
                checked.refused_rows.add(row)
                if len(checked.refused) < LISTED_ROWS:
                    checked.refused.append(result)
            checked.total += 1
            if checked.total % chunk_rows == 0:
                total = max(estimate or 0, checked.total)
                progress(Progress(ImportPhase.CHECKING, total, checked.total, 0))
    checked.good_mrns = {mrn for mrn, row in first_row.items() if row not in checked.refused_rows}
    progress(Progress(ImportPhase.CHECKING, checked.total, checked.total, 0))
    return checked


@dataclass
class _Compare:
    """The second reading: the good rows matched with the stored patients, a chunk at a
    time, and written when `write`."""

    hospital: Hospital
    plan: DischargePlans
    actor: object
    departments: dict[str, Department]
    today: dt.date
    checked: _Checked
    write: bool
    every_row: bool
    progress: Callable[[Progress], None]
    counts: Counter = field(default_factory=Counter)
    listed: list[RowResult] = field(default_factory=list)  # good rows the report lists
    with_reason: int = 0  # good rows with a reason (something left out)

    def run(self, file: IO[bytes], filename: str, chunk_rows: int) -> None:
        phase = ImportPhase.WRITING if self.write else ImportPhase.MATCHING
        total = self.checked.total
        claimed: set[int] = set()  # stored patients a row matched
        made: set[int] = set()  # patients this import created
        done = 0
        file.seek(0)
        self.progress(Progress(phase, total, total, 0))
        with RowStream(file, filename) as rows:
            for chunk in _chunks(enumerate(rows, 2), chunk_rows):
                parsed_rows = [
                    _check_row(values, row, self.departments, self.today)
                    for row, values in chunk
                    if row not in self.checked.refused_rows
                ]
                known = _known_patients(
                    self.hospital,
                    parsed_rows,
                    file_mrns=self.checked.good_mrns,
                    claimed=claimed,
                    made=made,
                )
                changes = _plan_changes(parsed_rows, known)
                if self.write:
                    created = _write(
                        hospital=self.hospital,
                        plan=self.plan,
                        checked=parsed_rows,
                        known=known,
                        changes=changes,
                        actor=self.actor,
                    )
                    made.update(patient.pk for patient in created)
                for parsed in parsed_rows:
                    self._count(parsed.result)
                done += len(chunk)
                self.progress(Progress(phase, total, total, done))

    def _count(self, result: RowResult) -> None:
        self.counts[result.outcome] += 1
        if result.reasons:
            self.with_reason += 1
        if (self.every_row or result.reasons) and len(self.listed) < LISTED_ROWS:
            self.listed.append(result)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _listed(checked: _Checked, compare: _Compare) -> tuple[list[RowResult], int]:
    """The rows the report lists, in file order: the refused ones first, then the good ones
    (every one of a short file, else those with a reason) while there is room; and how many
    rows with a reason are left out."""
    room = max(LISTED_ROWS - len(checked.refused), 0)
    listed = sorted([*checked.refused, *compare.listed[:room]], key=lambda result: result.row)
    reasons = len(checked.refused_rows) + compare.with_reason
    listed_reasons = sum(1 for result in listed if result.reasons)
    return listed, reasons - listed_reasons
