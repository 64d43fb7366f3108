"""The OpenAPI schema holds: schemathesis sends generated requests to every operation, as an
admin with a token, and finds no server error and no response that breaks the schema.

Stateless, in-process through the WSGI app on the test database; 15 derandomized examples
per operation keep the run short and repeatable.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import CaseFactory, DepartmentFactory, PatientFactory


@pytest.fixture
def admin_token(db, admin_user):
    return Token.objects.create(user=admin_user).key


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, kept from closing the test's database connection after each
    request (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, admin_token, wsgi_app):
    # A little data, so that reads by id sometimes find a row.
    department = DepartmentFactory()
    patient = PatientFactory(department=department)
    CaseFactory(customer=patient.customer, patient=patient)
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        wsgi_app,
        headers={"Authorization": f"Token {admin_token}"},
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(case, admin_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_the_schema_and_its_docs_need_a_login(client, admin_user):
    assert client.get("/api/schema/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/api/schema/").status_code == 200


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
