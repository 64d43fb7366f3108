"""With DEBUG off, WhiteNoise serves the collected static files (hashed names, compressed,
cached) and every page carries a Content-Security-Policy that allows no inline code; the
templates hold none to allow."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """`manage.py collectstatic` as the Dockerfile runs it, into a folder of the module's."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(collected):
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=collected,
        STORAGES=PRODUCTION_STORAGES,
        WHITENOISE_AUTOREFRESH=False,
        WHITENOISE_USE_FINDERS=False,
    ):
        yield Client()


def test_whitenoise_serves_the_call_screen_script(production_static):
    source = (ROOT / "static/js/call_screen.js").read_bytes()
    response = production_static.get("/static/js/call_screen.js")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == source
    assert response["Content-Type"].startswith("text/javascript")
    # The name pages use carries the content's hash: cached for good, gzip beside it.
    hashed = staticfiles_storage.url("js/call_screen.js")
    assert re.fullmatch(r"/static/js/call_screen\.[0-9a-f]{12}\.js", hashed)
    response = production_static.get(hashed, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_login_page_carries_the_policy_and_hashed_static_names(production_static):
    response = production_static.get(reverse("login"))
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script on the page: no nonce
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert staticfiles_storage.url("vendor/htmx/htmx.min.js") in html
    assert '"includeIndicatorStyles": false' in html


@pytest.mark.django_db
def test_the_api_docs_run_their_inline_code_under_a_nonce(client, agent):
    client.force_login(agent)
    response = client.get(reverse("swagger-ui"))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') == 2  # its style and its script
    assert "<script>" not in html and "<style>" not in html


INLINE = [
    (
        re.compile(r"<script(?![^>]*\b(?:src|nonce)=)(?![^>]*application/json)[^>]*>"),
        "inline script",
    ),
    (re.compile(r"<style\b(?![^>]*nonce=)"), "inline style element"),
    (re.compile(r"\sstyle=[\"']"), "style attribute"),
    (re.compile(r"\son[a-z]+=[\"']"), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_no_template_holds_code_the_policy_would_block():
    found = []
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [path for path in ROOT.glob("*/templates") if path.is_dir()]
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                found += [f"{path.relative_to(ROOT)}: {what}" for _ in pattern.findall(text)]
    assert found == []
