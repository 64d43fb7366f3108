"""The services on a Monday of the default calling policy, as `me` and a colleague."""

import pytest

from tests.factories import UserFactory, default_plan


@pytest.fixture
def plan():
    # Windows 10:30–11:30 and 15:00–17:30, quiet hours before 08:00 and from 21:00;
    # leases of 15 minutes.
    return default_plan()


@pytest.fixture
def me():
    return UserFactory(username="me", role="agent")


@pytest.fixture
def colleague():
    return UserFactory(username="colleague", role="agent")
