"""/api/v1/ answers with the API's collections, not Django's 404 page."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_collections_as_links(client):
    client.force_login(UserFactory(role="supervisor"))
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    links = response.json()
    assert links["departments"] == "http://testserver/api/v1/departments/"
    assert links["scripts"] == "http://testserver/api/v1/scripts/"
    assert links["escalations"] == "http://testserver/api/v1/escalations/"
    assert links["reports/summary"] == "http://testserver/api/v1/reports/summary/"


def test_it_is_for_signed_in_users_only(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "departments" not in response.content.decode()
