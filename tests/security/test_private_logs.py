"""Nothing personal reaches the logs: an import and a claim logged at DEBUG name no patient,
phone number or diagnosis."""

import datetime as dt
import logging

import pytest

from followups.services.call_lists import build_call_lists
from followups.services.claims import claim_next_call
from followups.services.imports import import_patients
from tests.api.monday import token_client_for
from tests.imports.conftest import csv_file, row

pytestmark = pytest.mark.django_db

NAME, PHONE, DIAGNOSIS = "欧阳秀英", "13812345678", "急性非ST段抬高型心肌梗死"
SECRETS = [NAME, PHONE, "138****5678", "5678", DIAGNOSIS, "欧阳"]


def test_an_import_and_a_claim_log_no_name_phone_or_diagnosis(
    caplog, admin_user, agent, hospital, discharge_plan
):
    caplog.set_level(logging.DEBUG)
    import_patients(
        file=csv_file([row(mrn="ZY1", name=NAME, phones=PHONE, diagnosis=DIAGNOSIS)]),
        filename="list.csv",
        actor=admin_user,
        hospital=hospital,
        dry_run=False,
    )
    bad = csv_file([row(mrn="ZY2", name=NAME, phones=f"{PHONE}/123", diagnosis=DIAGNOSIS)])
    bad.name = "list.csv"
    client = token_client_for(admin_user)
    assert (
        client.post("/api/v1/imports/patients/", {"file": bad}, format="multipart").status_code
        == 400
    )
    build_call_lists(day=dt.date(2026, 11, 13))
    claim = claim_next_call(agent=agent, now=dt.datetime.fromisoformat("2026-11-13T10:45:00+08:00"))
    assert claim.entry is not None  # the claim really ran and handed out the imported call
    assert caplog.records, "nothing was logged: the test would prove nothing"
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged, f"{secret!r} was logged"
