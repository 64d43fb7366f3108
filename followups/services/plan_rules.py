"""Which plan a new case takes: the most specific active rule matching its department and
kind (department and kind > department > kind > the default), and the refusal of rules
that would make that choice ambiguous.

`best_rule` and `conflicts` are pure (rules in, answer out); the page, the API, the import
and the case service all come through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from followups.models import Case, CaseKind, Department, FollowUpPlan, PlanChoice, PlanRule


class RuleLike(Protocol):
    pk: int | None
    plan_id: int | None
    department_id: int | None
    case_kind: str


def specificity(rule: RuleLike) -> int:
    """Department and kind 3, department 2, kind 1, the default 0."""
    return 2 * (rule.department_id is not None) + bool(rule.case_kind)


def matches(rule: RuleLike, *, department_id: int | None, case_kind: str) -> bool:
    return rule.department_id in (None, department_id) and rule.case_kind in ("", case_kind)


def best_rule(
    rules: Iterable[RuleLike], *, department_id: int | None, case_kind: str
) -> RuleLike | None:
    """The most specific rule matching a case of `department_id` (None: a case without a
    patient) and `case_kind`; None when none matches. Saved rules never tie (`conflicts`);
    should two, the older one wins, so the choice never depends on the order read."""
    found = [r for r in rules if matches(r, department_id=department_id, case_kind=case_kind)]
    return max(found, key=lambda rule: (specificity(rule), -(rule.pk or 0)), default=None)


def conflicts(rules: Sequence[RuleLike]) -> list[tuple[RuleLike, RuleLike]]:
    """Pairs of rules naming the same department and kind: for some case neither would be
    more specific than the other."""
    first: dict[tuple[int | None, str], RuleLike] = {}
    pairs = []
    for rule in rules:
        key = (rule.department_id, rule.case_kind)
        if key in first:
            pairs.append((first[key], rule))
        else:
            first[key] = rule
    return pairs


# --- Reading the rules in force ---------------------------------------------------------------


def active_rules():
    """The rules of the active plans: those that choose plans."""
    return PlanRule.objects.filter(plan__is_active=True).select_related("plan", "department")


@dataclass(frozen=True)
class PlanPick:
    plan: FollowUpPlan | None
    rule: PlanRule | None
    chosen_by: str


def pick_plan(
    *, department_id: int | None, case_kind: str, rules: Iterable[PlanRule] | None = None
) -> PlanPick:
    """The plan a new case of the department and kind takes, with the rule that chose it."""
    rule = best_rule(
        active_rules() if rules is None else rules,
        department_id=department_id,
        case_kind=case_kind,
    )
    if rule is None:
        return PlanPick(plan=None, rule=None, chosen_by=PlanChoice.NONE)
    return PlanPick(plan=rule.plan, rule=rule, chosen_by=PlanChoice.RULE)


def choose_plan_for(case: Case) -> None:
    """Give an unsaved case its plan: the one given (chosen by hand), else the rule's."""
    if case.plan_id:
        if not case.plan_chosen_by:
            case.plan_chosen_by = PlanChoice.HAND
        return
    department_id = case.patient.department_id if case.patient_id else None
    pick = pick_plan(department_id=department_id, case_kind=case.kind)
    case.plan, case.plan_rule, case.plan_chosen_by = pick.plan, pick.rule, pick.chosen_by


@dataclass(frozen=True)
class DischargePlans:
    """The plan of each department's imported discharge cases: the plan the admin chose
    for the import, else each department's rule."""

    chosen: FollowUpPlan | None
    by_department: dict[int, PlanPick]

    def pick(self, department: Department) -> PlanPick:
        if self.chosen is not None:
            return PlanPick(plan=self.chosen, rule=None, chosen_by=PlanChoice.HAND)
        return self.by_department.get(department.pk) or PlanPick(None, None, PlanChoice.NONE)

    def uncovered(self, department: Department) -> str | None:
        """Why a row of the department cannot be imported, or None."""
        if self.pick(department).plan is not None:
            return None
        return _(
            "No plan rule covers discharge cases of %(department)s: add a rule to a plan, or"
            " choose the plan for this import."
        ) % {"department": department.name}


def discharge_plans(*, hospital, chosen: FollowUpPlan | None = None) -> DischargePlans:
    rules = list(active_rules())
    return DischargePlans(
        chosen=chosen,
        by_department={
            department.pk: pick_plan(
                department_id=department.pk, case_kind=CaseKind.DISCHARGE, rules=rules
            )
            for department in Department.objects.filter(hospital=hospital)
        },
    )


# --- Refusing conflicting rules ---------------------------------------------------------------


def conflict_message(rule: RuleLike, other_plan: str | None) -> str:
    described = PlanRule(department_id=rule.department_id, case_kind=rule.case_kind)
    if rule.department_id is not None:
        described.department = Department.objects.filter(pk=rule.department_id).first()
    if other_plan is None:
        return _("The rule %(rule)s is given twice.") % {"rule": described.describe()}
    return _(
        "The rule %(rule)s is already the active plan %(plan)s's: a case would match both."
        " Remove it there first, or make this plan inactive."
    ) % {"rule": described.describe(), "plan": other_plan}


def rule_conflicts(
    *, plan: FollowUpPlan, rules: Sequence[RuleLike], active: bool
) -> list[tuple[RuleLike, str]]:
    """What is wrong with giving `plan` (active or not) exactly `rules`: each rule given
    twice, and each rule another active plan already has, with the message to show."""
    found = [(twice, conflict_message(twice, None)) for _first, twice in conflicts(rules)]
    if not active:
        return found
    others = active_rules().exclude(plan_id=plan.pk) if plan.pk else active_rules()
    taken = {(rule.department_id, rule.case_kind): rule.plan.name for rule in others}
    for rule in rules:
        other = taken.get((rule.department_id, rule.case_kind))
        if other is not None:
            found.append((rule, conflict_message(rule, other)))
    return found


def check_plan_rules(plan: FollowUpPlan) -> None:
    """ValidationError when the saved plan's rules conflict (called in the saving
    transaction, after the page's own check, so two admins saving at once cannot both
    pass)."""
    list(FollowUpPlan.objects.select_for_update().filter(is_active=True).values_list("pk"))
    problems = rule_conflicts(plan=plan, rules=list(plan.rules.all()), active=plan.is_active)
    if problems:
        raise ValidationError([message for _rule, message in problems])
