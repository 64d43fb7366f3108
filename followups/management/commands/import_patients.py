"""`python manage.py import_patients FILE [--hospital CODE] [--plan ID] [--dry-run]`: the same
import as the API and the configuration page; prints the summary and the refused rows."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from followups.models import FollowUpPlan
from followups.services.imports import ImportFileError, import_patients, resolve_hospital


class Command(BaseCommand):
    help = "Import a CSV or XLSX discharge list: all rows or none; --dry-run only reports."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file with the HIS columns.")
        parser.add_argument("--hospital", help="Hospital code (needed with several hospitals).")
        parser.add_argument("--plan", type=int, help="Plan id of the new discharge cases.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")

    def handle(self, *args, file, hospital=None, plan=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        chosen_plan = None
        if plan is not None:
            chosen_plan = FollowUpPlan.objects.filter(pk=plan, is_active=True).first()
            if chosen_plan is None:
                raise CommandError(f"No active plan with id {plan}.")
        try:
            with path.open("rb") as handle:
                report = import_patients(
                    file=handle,
                    filename=path.name,
                    actor=None,
                    hospital=resolve_hospital(hospital),
                    dry_run=dry_run,
                    plan=chosen_plan,
                )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        counts = report.counts
        verdict = "dry run" if dry_run else ("committed" if report.committed else "NOT committed")
        self.stdout.write(
            f"{len(report.rows)} rows ({verdict}): {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['refused']} refused."
        )
        for result in report.rows:
            if result.reasons:  # why a row is refused, or what was left out of a good one
                self.stdout.write(f"  row {result.row}: {'; '.join(result.reasons)}")
        if not dry_run and not report.committed:
            raise CommandError("Nothing was written: correct the refused rows and run it again.")
