"""Phone numbers: validated with phonenumbers, stored as E.164, masked for display."""

import pytest
from django.conf import settings
from django.utils import translation

from followups.forms import CustomerForm
from followups.models import Customer
from followups.phones import mask_phone

pytestmark = pytest.mark.django_db


def customer_data(**changes):
    data = {
        "name": "李秀英",
        "gender": "F",
        "phone": "138 0013 8000",
        "phone_secondary": "",
        "timezone": "",
        "preferred_slot": "any",
        "do_not_call_reason": "",
    }
    data.update(changes)
    return data


def test_it_stores_a_valid_mobile_number_as_e164():
    form = CustomerForm(data=customer_data(phone="138 0013 8000"))
    assert form.is_valid(), form.errors
    customer = form.save()
    customer.refresh_from_db()
    assert str(customer.phone) == "+8613800138000"


def test_it_accepts_an_international_number_in_e164():
    form = CustomerForm(data=customer_data(phone="+1 415 555 2671", timezone="America/Los_Angeles"))
    assert form.is_valid(), form.errors
    assert str(form.save().phone) == "+14155552671"


def test_it_refuses_an_invalid_number_with_a_clear_error():
    with translation.override("en"):
        form = CustomerForm(data=customer_data(phone="12345"))
        assert not form.is_valid()
        assert form.errors["phone"] == [
            "Enter a valid phone number (e.g. 010 1234 5678) "
            "or a number with an international call prefix."
        ]
    assert Customer.objects.count() == 0


def test_the_phone_error_speaks_chinese_by_default():
    with translation.override(settings.LANGUAGE_CODE):
        form = CustomerForm(data=customer_data(phone="12345"))
        assert not form.is_valid()
    assert form.errors["phone"] == [
        "输入一个合法的电话号码（例如，010 1234 5678）或带国际冠码的号码。"
    ]


def test_it_refuses_an_unknown_timezone():
    with translation.override("en"):
        form = CustomerForm(data=customer_data(timezone="Mars/Olympus"))
        assert not form.is_valid()
        assert form.errors["timezone"] == ["Unknown timezone: use a name like Asia/Shanghai."]


def test_a_number_is_masked_to_first_three_and_last_four_digits():
    assert mask_phone("+8613812345678") == "138****5678"


def test_a_missing_number_masks_to_nothing():
    assert mask_phone("") == ""


def test_the_honorific_uses_the_surname_and_gender():
    assert Customer(name="李秀英", gender="F").honorific == "李女士"
    assert Customer(name="欧阳明", gender="M").honorific == "欧阳先生"
    assert Customer(name="王芳", gender="U").honorific == "王芳"
