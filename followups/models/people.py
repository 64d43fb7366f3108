"""Who we call: hospitals and their departments, customers, and patients."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from followups.phones import mask_phone

from .base import Named, Timestamped
from .fields import optional_day, optional_m2m, protected_fk

# Two-character surnames that a first-character split would get wrong.
COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "夏侯"]
)


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class PreferredSlot(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")


class Hospital(Named):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta(Named.Meta):
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")


class Department(models.Model):
    hospital = protected_fk(Hospital, "departments", _("hospital"))
    name = models.CharField(_("name"), max_length=80)
    code = models.SlugField(_("code"), max_length=40)
    # 科主任: they read this department's calls, reviews, escalations and reports.
    heads = optional_m2m(settings.AUTH_USER_MODEL, "headed_departments", _("department heads"))

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["hospital__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "code"], name="department_code_per_hospital"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Customer(Timestamped):
    name = models.CharField(_("name"), max_length=80)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )
    phone = PhoneNumberField(_("phone"), blank=True)
    phone_secondary = PhoneNumberField(_("second phone"), blank=True)
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to use the calling policy's timezone."),
    )
    preferred_slot = models.CharField(
        _("preferred slot"), max_length=10, choices=PreferredSlot.choices, default=PreferredSlot.ANY
    )
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_call_reason = models.CharField(_("do-not-call reason"), max_length=200, blank=True)
    recording_consent = models.BooleanField(_("consents to recording"), default=False)

    class Meta:
        permissions = [
            ("reveal_phone", "Can reveal the phone number of a call held"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["phone"], name="customer_phone_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.timezone:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError(
                    {"timezone": _("Unknown timezone: use a name like Asia/Shanghai.")}
                ) from None

    @property
    def surname(self) -> str:
        if self.name[:2] in COMPOUND_SURNAMES:
            return self.name[:2]
        return self.name[:1]

    @property
    def honorific(self) -> str:
        """张先生 / 李女士, as the agent says it on the phone (the calls are in Chinese,
        whatever language the screen is in); the full name when the gender is unknown."""
        title = {Gender.MALE: "先生", Gender.FEMALE: "女士"}.get(self.gender)
        if title is None:
            return self.name
        return f"{self.surname}{title}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_phone_secondary(self) -> str:
        return mask_phone(self.phone_secondary)

    @property
    def has_valid_phone(self) -> bool:
        return bool(self.phone) and self.phone.is_valid()


class Patient(models.Model):
    """A customer who was a patient: what the hospital knows about the stay."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="patient", verbose_name=_("customer")
    )
    hospital = protected_fk(Hospital, "patients", _("hospital"))
    medical_record_number = models.CharField(_("inpatient number"), max_length=40)
    department = protected_fk(Department, "patients", _("department"))
    attending_doctor = models.CharField(_("attending doctor"), max_length=80, blank=True)
    responsible_nurse = models.CharField(_("responsible nurse"), max_length=80, blank=True)
    diagnosis = models.CharField(_("diagnosis"), max_length=200, blank=True)
    admitted_on = optional_day(_("admitted on"))
    discharged_on = optional_day(_("discharged on"))
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Identity must be confirmed before anything medical is said."),
    )
    died_on = optional_day(_("date of death"))

    class Meta:
        permissions = [
            ("import_patients", "Can import patients"),
        ]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["-discharged_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "medical_record_number"], name="patient_mrn_per_hospital"
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(admitted_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("admitted_on")),
                name="patient_discharge_after_admission",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "discharged_on"], name="patient_dept_disch"),
            # Each patient's department in id order: 回访率 joins a year of cases to it
            # (reports/reach.py).
            models.Index(fields=["id"], include=["department"], name="patient_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.medical_record_number}"

    def clean(self) -> None:
        super().clean()
        if self.admitted_on and self.discharged_on and self.discharged_on < self.admitted_on:
            raise ValidationError(
                {"discharged_on": _("The discharge date is before the admission date.")}
            )
        if (
            self.department_id
            and self.hospital_id
            and self.department.hospital_id != self.hospital_id
        ):
            raise ValidationError({"department": _("This department belongs to another hospital.")})

    @property
    def is_deceased(self) -> bool:
        return self.died_on is not None
