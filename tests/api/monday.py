"""Shared by the call endpoint tests: a Monday in Shanghai and an English-speaking client."""

import datetime as dt
from zoneinfo import ZoneInfo

from rest_framework.test import APIClient

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=SHANGHAI)


def api_for(user) -> APIClient:
    # Messages are asserted in English (the msgids); the default language is Chinese.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client
