"""Phone numbers as the call center shows them: masked unless the caller holds the call."""

import phonenumbers
from phonenumber_field.phonenumber import PhoneNumber


def mask_phone(phone: PhoneNumber | str | None) -> str:
    """138****5678: keep the first three and last four digits of the national number."""
    if not phone:
        return ""
    if not isinstance(phone, PhoneNumber):
        phone = PhoneNumber.from_string(str(phone), region="CN")
    digits = str(phone.national_number or "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def normalise_phone(text: str, region: str = "CN") -> str | None:
    """The E.164 form of a number typed by a person (`138 1234 5678`, `+86 138…`), or None
    when it is not a valid number: the form numbers are stored in."""
    try:
        parsed = phonenumbers.parse(str(text or "").strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
