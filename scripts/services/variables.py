"""The values of the script variables ({customer.name} …) for a call, and made-up values for
previewing a script.
"""

from __future__ import annotations

import datetime as dt

from followups.models import Case, Hospital

# --- Variables for a call -------------------------------------------------------------------


def script_values(*, case: Case, agent) -> dict[str, str | None]:
    """The value of every script variable for a call of `case` by `agent` (None where the
    data is missing, which the text shows as a visible gap). Spoken Chinese, whatever the
    screen's language: dates as 11月10日."""
    customer = case.customer
    patient = case.patient
    hospital = patient.hospital if patient is not None else _only_hospital()
    return {
        "customer.honorific": customer.honorific or None,
        "customer.name": customer.name or None,
        "agent.name": _person_name(agent),
        "hospital.name": hospital.name if hospital is not None else None,
        "patient.department": patient.department.name if patient is not None else None,
        "patient.doctor": (patient.attending_doctor or None) if patient is not None else None,
        "patient.discharged_on": (
            spoken_date(patient.discharged_on)
            if patient is not None and patient.discharged_on
            else None
        ),
        "case.product": case.product or None,
    }


def sample_values(*, agent) -> dict[str, str | None]:
    """Made-up values for previewing a script (no real person's data)."""
    return {
        "customer.honorific": "张先生",
        "customer.name": "张建国",
        "agent.name": _person_name(agent) or "王静",
        "hospital.name": (_only_hospital() or Hospital(name="示例医院")).name,
        "patient.department": "心内科",
        "patient.doctor": "周建国",
        "patient.discharged_on": spoken_date(dt.date(2026, 11, 10)),
        "case.product": "心内科专家门诊复诊",
    }


def spoken_date(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _person_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name().strip() or user.get_username() or None


def _only_hospital() -> Hospital | None:
    """The center's hospital when it serves exactly one (a case without a patient has no
    hospital of its own)."""
    hospitals = list(Hospital.objects.order_by("pk")[:2])
    return hospitals[0] if len(hospitals) == 1 else None
