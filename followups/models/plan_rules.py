"""Which plan a new case takes: an admin's rules, each naming a department, a case kind, both
or neither (the default), and how a case's plan was chosen."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import CaseKind
from .fields import optional_fk, parent_fk


class PlanChoice(models.TextChoices):
    """How a case came by its plan (services/plan_rules.py)."""

    RULE = "rule", _("by a rule")
    HAND = "hand", _("chosen by hand")
    NONE = "none", _("no rule matched")


class PlanRule(models.Model):
    """A new case of `department` (any, when empty) and `case_kind` (any, when empty) takes
    the rule's plan. The most specific rule matching a case wins: department and kind, then
    department, then kind, then the default (services/plan_rules.py); two active rules of
    the same department and kind are refused when saved."""

    plan = parent_fk("followups.FollowUpPlan", "rules", _("plan"))
    department = optional_fk(
        "followups.Department",
        "plan_rules",
        _("department"),
        on_delete=models.CASCADE,
        help_text=_("Leave empty for every department."),
    )
    case_kind = models.CharField(
        _("case kind"),
        max_length=24,
        choices=CaseKind.choices,
        blank=True,
        help_text=_("Leave empty for every kind of case."),
    )

    class Meta:
        verbose_name = _("plan rule")
        verbose_name_plural = _("plan rules")
        ordering = ["plan", "department", "case_kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "department", "case_kind"],
                condition=models.Q(department__isnull=False),
                name="plan_rule_once_per_plan",
            ),
            models.UniqueConstraint(
                fields=["plan", "case_kind"],
                condition=models.Q(department__isnull=True),
                name="plan_rule_any_department_once_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """The rule in a few words: 心内科 · 出院回访, 心内科 · any kind, every case …"""
        department = self.department.name if self.department_id else _("any department")
        kind = self.get_case_kind_display() if self.case_kind else _("any kind")
        if not self.department_id and not self.case_kind:
            return str(_("every case (default)"))
        return f"{department} · {kind}"


def plan_reason(case) -> str:
    """Why `case` follows its plan, in a sentence."""
    if not case.plan_id:
        return str(_("No plan: no rule matched and none was chosen."))
    if case.plan_chosen_by == PlanChoice.HAND:
        return str(_("Plan chosen by hand."))
    if case.plan_chosen_by == PlanChoice.RULE:
        if case.plan_rule_id is None:
            return str(_("Plan chosen by a rule since removed."))
        return str(_("Plan chosen by the rule: %(rule)s.") % {"rule": case.plan_rule.describe()})
    return str(_("Plan set before plans were chosen by rule."))
