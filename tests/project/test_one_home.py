"""Rules with one home, read from the source: which day "today" is, and where page URLs live.

- "Today" is the call center's day: ``followups.clock`` alone asks Django for a local date;
  every list, report period, preview and import check goes through ``clock.today()`` or
  ``clock.center_day(moment)``, so a user's activated zone can never shift the day.
- Page URLs live in ``followups/urls/`` (a section a role) and ``scripts/urls.py``; a views
  module declares no ``urlpatterns``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("followups", "scripts", "callcenter", "bench")


def _python_files():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _calls_to(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # timezone.localdate(), and localdate imported by name (from django.utils.timezone import …).
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr == attribute)
        or (
            isinstance(node, ast.ImportFrom)
            and any(alias.name == attribute for alias in node.names)
        )
    ]


def test_only_the_clock_module_asks_django_for_a_local_date():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files()
        if path.relative_to(ROOT).as_posix() != "followups/clock.py"
        for line in _calls_to(path, "localdate")
    ]
    assert offenders == [], f"use followups.clock.today() / center_day(): {offenders}"


def test_the_clock_reads_the_day_in_the_centers_zone_not_the_activated_one(settings):
    import datetime as dt
    import zoneinfo

    from django.utils import timezone

    from followups import clock

    settings.TIME_ZONE = "Asia/Shanghai"
    moment = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)  # 01:00 on 2 March in Shanghai
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert clock.center_day(moment) == dt.date(2026, 3, 2)


def test_views_modules_declare_no_urls():
    views = [ROOT / "followups" / "views", ROOT / "scripts" / "views"]
    offenders = []
    for folder in views:
        assert folder.is_dir(), folder
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == "urlpatterns" for t in targets):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"page URLs belong in followups/urls/ or scripts/urls.py: {offenders}"
