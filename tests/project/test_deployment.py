"""The deployment files and production settings hold what they promise."""

import importlib
import os
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_has_the_whole_stack():
    assert set(compose_services()) == {"proxy", "web", "worker", "beat", "db", "redis"}


def test_compose_refers_to_files_that_exist():
    services = compose_services()
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), f"{name}: {source} is missing"
    assert (ROOT / "deploy" / "Caddyfile").is_file()


def test_only_the_tls_proxy_publishes_ports():
    services = compose_services()
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert sorted(services["proxy"]["ports"]) == ["443:443", "80:80"]


def test_every_app_service_command_exists_in_the_project():
    services = compose_services()
    for name in ["web", "worker", "beat"]:
        command = services[name]["command"]
        words = shlex.split(command)
        if words[:2] == ["sh", "-c"]:
            words = shlex.split(words[2].replace("&&", " && "))
        if "manage.py" in words:
            assert (ROOT / "manage.py").exists()
            subcommand = words[words.index("manage.py") + 1]
            from django.core.management import get_commands

            assert subcommand in get_commands(), f"{name}: unknown command {subcommand}"
        if "gunicorn" in words:
            module, attribute = words[words.index("gunicorn") + 1].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
        if "celery" in words:
            app = words[words.index("-A") + 1]
            assert importlib.import_module(app).celery_app.main == app
        if "--scheduler" in words:
            module, attribute = words[words.index("--scheduler") + 1].split(":")
            assert hasattr(importlib.import_module(module), attribute)
    assert (ROOT / services["web"]["build"]).joinpath("Dockerfile").exists()


def test_compose_points_the_app_at_postgres_and_redis():
    environment = compose_services()["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CELERY_BROKER_URL"].startswith("redis://")


def test_procfile_commands_exist():
    for line in (ROOT / "Procfile").read_text().splitlines():
        program = shlex.split(line.split(":", 1)[1])[0]
        assert program.startswith(".venv/bin/"), line


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import callcenter.settings as s; print(s.DEBUG, s.SECRET_KEY[:6])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_uses_the_secret_key_it_is_given():
    result = _import_settings({"DEBUG": "false", "SECRET_KEY": "from-the-environment"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-t"]


def test_the_local_demo_runs_with_a_development_key():
    result = _import_settings({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django"]


def test_compose_keeps_database_connections_between_requests():
    url = compose_services()["web"]["environment"]["DATABASE_URL"]
    assert "conn_max_age=60" in url and "conn_health_checks=true" in url


def test_the_embedded_default_database_takes_every_migration(tmp_path):
    """`make run` migrates a fresh SQLite file: every migration's SQL must run there too (a
    PostgreSQL-only statement once broke the README's first command while the suite, on
    PostgreSQL, stayed green)."""
    database = tmp_path / "demo.sqlite3"
    environment = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )

    result = manage("migrate", "--noinput")
    assert result.returncode == 0, result.stderr[-2000:]
    plan = manage("showmigrations", "--plan")
    assert "[ ]" not in plan.stdout and "[X]  followups.0022_report_call_facts" in plan.stdout
    # The demo's history is made by record_outcome: each call it stores is added to the day
    # figures, whose key SQLite cannot hold unique (services/report_days.py).
    seeded = manage("seed_demo")
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    with sqlite3.connect(database) as db:
        calls = db.execute(
            "SELECT count(*), count(*) FILTER (WHERE same_call_as_id IS NULL)"
            " FROM followups_callattempt"
        ).fetchone()
        counted = db.execute("SELECT sum(attempts), sum(calls) FROM followups_callday").fetchone()
    assert calls[0] > 0 and counted == calls
