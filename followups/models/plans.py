"""What the admin configures: follow-up plans with their steps, and calling policies."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import Named
from .fields import optional_fk, parent_fk, protected_fk

# The contact strategy's defaults (followups.scheduling): a week to reach the patient, six
# calls nobody answers spread over it.
DEFAULT_WINDOW_DAYS = 7
DEFAULT_ATTEMPT_BUDGET = 6


class HolidayRule(models.TextChoices):
    # Values are the ones followups.scheduling.HolidayRule uses.
    SKIP_HOLIDAYS = "skip_holidays", _("Skip public holidays")
    CALL_ON_HOLIDAYS = "call_on_holidays", _("Call on public holidays too")
    WORKING_DAYS = "working_days", _("Official working days only (make-up days included)")


class RepeatUnit(models.TextChoices):
    # Values are the ones followups.scheduling.cadence.RepeatUnit uses.
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class HolidayOverrideKind(models.TextChoices):
    CLOSED = "closed", _("Closed (no calls)")
    WORKING = "working", _("Working day (calls)")


weekdays_validator = RegexValidator(
    r"^(?!.*(.).*\1)[0-6]{1,7}$",
    _("Give each weekday once as a digit: 0 is Monday, 6 is Sunday."),
)


class CallingPolicy(Named):
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    weekdays = models.CharField(
        _("weekdays"),
        max_length=7,
        default="0123456",
        validators=[weekdays_validator],
        help_text=_("Digits of the days calls are made: 0 Monday … 6 Sunday."),
    )
    holiday_rule = models.CharField(
        _("holiday rule"),
        max_length=20,
        choices=HolidayRule.choices,
        default=HolidayRule.SKIP_HOLIDAYS,
    )
    quiet_before = models.TimeField(
        _("no calls before"),
        default=dt.time(8, 0),
        help_text=_("Hard quiet hours: nothing, not even a booked callback, is called earlier."),
    )
    quiet_after = models.TimeField(
        _("no calls after"),
        default=dt.time(21, 0),
        help_text=_("Hard quiet hours: nothing is called at or after this time."),
    )
    is_default = models.BooleanField(_("default policy"), default=False)

    class Meta(Named.Meta):
        verbose_name = _("calling policy")
        verbose_name_plural = _("calling policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_before__lt=models.F("quiet_after")),
                name="policy_quiet_hours_ordered",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_calling_policy",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"timezone": _("Unknown timezone: use a name like Asia/Shanghai.")}
            ) from None
        if self.quiet_before and self.quiet_after and self.quiet_before >= self.quiet_after:
            raise ValidationError(
                {"quiet_after": _("Quiet hours must start after the calling day begins.")}
            )


class CallingWindow(models.Model):
    policy = parent_fk(CallingPolicy, "windows", _("policy"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("calling window")
        verbose_name_plural = _("calling windows")
        ordering = ["policy", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="window_starts_before_it_ends",
            ),
            models.UniqueConstraint(fields=["policy", "starts_at"], name="window_start_per_policy"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError({"ends_at": _("A window must end after it starts.")})


class HolidayOverride(models.Model):
    """An admin's correction of the official calendar; it wins over the calendar."""

    policy = parent_fk(CallingPolicy, "holiday_overrides", _("policy"))
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=HolidayOverrideKind.choices)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "day"], name="override_day_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class FollowUpPlan(Named):
    description = models.TextField(_("description"), blank=True)
    calling_policy = protected_fk(CallingPolicy, "plans", _("calling policy"))
    # Cadence for intent-driven cases (consultations, purchases, policies).
    intent_a_days = models.PositiveSmallIntegerField(_("class A: every N days"), default=3)
    intent_b_days = models.PositiveSmallIntegerField(_("class B: every N days"), default=7)
    intent_c_days = models.PositiveSmallIntegerField(
        _("class C: every N days"),
        default=21,
        validators=[MinValueValidator(14), MaxValueValidator(28)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(Named.Meta):
        permissions = [
            ("configure_center", "Can configure plans, calling policies, teams and users"),
        ]
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    intent_a_days__gte=1, intent_b_days__gte=1, intent_c_days__gte=1
                ),
                name="plan_cadence_positive",
            )
        ]


class PlanStep(models.Model):
    plan = parent_fk(FollowUpPlan, "steps", _("plan"))
    offset_days = models.IntegerField(
        _("days after the anchor date"), validators=[MinValueValidator(0)]
    )
    script = optional_fk("scripts.CallScript", "plan_steps", _("script"), on_delete=models.PROTECT)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt budget"),
        default=DEFAULT_ATTEMPT_BUDGET,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "Calls nobody answers (no answer, busy, phone off) a step may make, spread over its"
            " window. A relative answering or a booked callback does not count."
        ),
    )
    window_days = models.PositiveSmallIntegerField(
        _("follow-up window (days)"),
        default=DEFAULT_WINDOW_DAYS,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "Calls for this step are made from its due day up to this many days after it; a"
            " step not reached by then ends as window missed."
        ),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days after the anchor date)"),
        null=True,
        blank=True,
        help_text=_("E.g. a policy's 15-day cooling-off period; tasks near it rise in priority."),
    )
    # Chronic follow-up: the step comes back every N days or months until the case closes.
    repeat_every = models.PositiveSmallIntegerField(
        _("repeat every"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Leave empty for a single call; e.g. 1 month, 3 months for chronic patients."),
    )
    repeat_unit = models.CharField(
        _("repeat unit"), max_length=6, choices=RepeatUnit.choices, blank=True
    )

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["plan", "offset_days"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "offset_days"], name="step_offset_per_plan"),
            models.CheckConstraint(
                condition=models.Q(offset_days__gte=0), name="step_offset_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(max_attempts__gte=1), name="step_max_attempts_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(window_days__lte=60), name="step_window_at_most_60_days"
            ),
            models.CheckConstraint(
                condition=models.Q(repeat_every__isnull=True, repeat_unit="")
                | models.Q(repeat_every__gte=1, repeat_unit__in=["days", "months"]),
                name="step_repeat_every_with_its_unit",
            ),
        ]

    def __str__(self) -> str:
        return _("%(plan)s: day %(days)s") % {"plan": self.plan, "days": self.offset_days}

    @property
    def day_label(self) -> str:
        """The step named without its plan: "Day 3"."""
        return _("Day %(days)s") % {"days": self.offset_days}

    def clean(self) -> None:
        super().clean()
        if (self.repeat_every is None) != (not self.repeat_unit):
            raise ValidationError(
                {"repeat_unit": _("Give both how often the step repeats and its unit, or neither.")}
            )

    @property
    def is_recurring(self) -> bool:
        return self.repeat_every is not None and bool(self.repeat_unit)
