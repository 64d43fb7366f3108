"""`python manage.py build_call_lists [--date YYYY-MM-DD]`: the same code as the Celery task."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from followups import clock
from followups.services.call_lists import morning_build


class Command(BaseCommand):
    help = "Build the day's call list (default: today) and print what was added and skipped."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to build, YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else clock.today()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        report = morning_build(day=day)
        self.stdout.write(
            f"Call list {day}: added {report.added} entries "
            f"({report.already_listed} already on the list)."
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(f"  skipped {count}: {reason}")
        if report.window_missed:
            self.stdout.write(f"  ended {report.window_missed}: follow-up window missed")
        if report.flagged_needs_number:
            self.stdout.write(f"  flagged {report.flagged_needs_number}: number needs fixing")
        for year in report.calendar_warnings:
            self.stdout.write(
                self.style.WARNING(
                    f"  warning: the official holiday schedule of {year} is not loaded; "
                    "public holidays come from the fallback calendar, without make-up working "
                    "days. Add holiday overrides for the make-up days."
                )
            )
        if report.due_days_counted:
            self.stdout.write(f"  counted {report.due_days_counted} past due days for the reports")
