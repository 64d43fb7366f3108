"""Phone numbers as the call center shows them: masked unless the caller holds the call."""

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
