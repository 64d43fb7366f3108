"""A request with Accept-Language: en leaves English active in the thread (LocaleMiddleware
activates, nothing deactivates): put the default language back after each test."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language_after_the_test():
    yield
    translation.deactivate()
