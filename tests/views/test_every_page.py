"""What every page shares: the site's icon, and dates and times in the UI language's way
(Chinese: 2026-11-23 and a 24-hour clock)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.clock import at

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert "favicon" in response.url and response.url.endswith(".ico")


def test_every_page_links_its_icon(client):
    html = client.get(reverse("login")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


def test_chinese_dates_and_times_are_yyyy_mm_dd_and_24_hour():
    moment = at(15, 30)

    assert render("{{ m|date }} {{ m|time }}", "zh-hans", m=moment) == "2026-11-23 15:30"
    assert render('{{ m|date:"DATETIME_FORMAT" }}', "zh-hans", m=moment) == "2026-11-23 15:30"
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', "zh-hans", d=dt.date(2026, 1, 5)) == (
        "2026-01-05"
    )


def test_english_keeps_its_own_way():
    assert render("{{ m|date }}", "en", m=at(15, 30)) == "Nov. 23, 2026"
