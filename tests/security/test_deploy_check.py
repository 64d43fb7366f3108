"""`manage.py check --deploy` finds nothing to warn about with production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def python(*args: str, env: dict) -> subprocess.CompletedProcess:
    """Python run with `args` in the project's root, in the environment `env` alone."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; no deployment does.
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="callcenter.settings",
        DEBUG="false",
        SECRET_KEY="k9#Vd2!pQz7@Lm4$Xr8^Tn1&Wb6*Hc3(Yf5)Gj0_Se+Ua-Ko=Ri",
        ALLOWED_HOSTS="huifang.example.org",
        HUIFANG_VAR_DIR=str(tmp_path),
    )
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=environment)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_hsts_and_secure_cookies(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(DEBUG="false", SECRET_KEY="x" * 60, HUIFANG_VAR_DIR=str(tmp_path))
    code = (
        "import callcenter.settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = python("-c", code, env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True"]


def compose_web_environment(provided: dict) -> dict:
    """The web service's environment as docker compose gives it: defaults filled in,
    required values taken from `provided` (what an .env file would hold)."""
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]

    def value(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if name in provided:
            return provided[name]
        assert kind is None or "?" not in kind, f"docker-compose.yml requires {name}"
        return rest if kind else ""

    return {key: INTERPOLATION.sub(value, str(raw)) for key, raw in web["environment"].items()}


def test_check_deploy_passes_with_the_compose_environment(tmp_path):
    # SECRET_KEY is required by the compose file (from the environment or .env): a random
    # one as long as Django asks for.
    compose = compose_web_environment({"SECRET_KEY": secrets.token_urlsafe(50)})
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DJANGO_SETTINGS_MODULE": "callcenter.settings",
        # The image's var/ is /app/var; here a folder of the test's own.
        "HUIFANG_VAR_DIR": str(tmp_path),
        **compose,
    }
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=environment)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output
