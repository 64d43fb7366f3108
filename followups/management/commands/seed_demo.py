"""`python manage.py seed_demo`: demo data on a fresh database; a second run adds nothing."""

import os

from django.core.management.base import BaseCommand, no_translations
from django.urls import reverse

from followups import clock
from followups.demo import DEMO_PASSWORD, DEMO_SEED, seed_demo


class Command(BaseCommand):
    help = (
        "Add demo users, a hospital, plans, published scripts, patients and a few weeks of "
        "call history, dated from today. Idempotent. Password: $HUIFANG_DEMO_PASSWORD "
        f"(default {DEMO_PASSWORD})."
    )

    @no_translations
    def handle(self, *args, **options):
        password = os.environ.get("HUIFANG_DEMO_PASSWORD") or DEMO_PASSWORD
        today = clock.today()
        result = seed_demo(today=today, password=password)
        if not result.created:
            self.stdout.write("Demo data already present: nothing added. In the database now:")
            self._counts(result.counts)
            usernames = ", ".join(user.username for user in result.users)
            self.stdout.write(f"Demo logins: {usernames} (password as set on the first run).")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo data added (seed {DEMO_SEED}, dated from {today}):")
        )
        self._counts({model: count for model, count in result.counts.items() if count})
        self.stdout.write(f"Log in at {reverse('login')} with password {password!r}:")
        for user in result.users:
            kept = (
                " (existed already: left unchanged)" if user.username in result.kept_users else ""
            )
            self.stdout.write(f"  {user.username:<11} {user.name}  {user.role}{kept}")

    def _counts(self, counts):
        for model, count in counts.items():
            self.stdout.write(f"  {count:>6}  {model._meta.verbose_name_plural}")
