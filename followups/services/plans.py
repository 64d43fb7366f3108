"""What follows when an admin changes a plan or a calling policy."""

from followups import enqueue
from followups.models import AuditAction, CallingPolicy, FollowUpPlan
from followups.services import audit


def plan_changed(*, plan: FollowUpPlan, actor) -> None:
    """Audit the change, then move the untouched tasks of the plan's open cases (in the
    worker: a plan may have tens of thousands of cases)."""
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_PLAN,
        target=plan,
        steps=list(plan.steps.values_list("offset_days", flat=True)),
        policy=plan.calling_policy_id,
        # department id (None: any) and case kind ("": any) of each rule, in no language.
        rules=[[rule.department_id, rule.case_kind] for rule in plan.rules.all()],
    )
    enqueue.resync_plan_cases(plan_id=plan.pk)


def policy_changed(*, policy: CallingPolicy, actor) -> None:
    """Audit the change. Nothing to move: every list build and claim reads the policy
    afresh, so tomorrow's list follows the new windows and days."""
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE_POLICY,
        target=policy,
        windows=[f"{w.starts_at:%H:%M}-{w.ends_at:%H:%M}" for w in policy.windows.all()],
        weekdays=policy.weekdays,
        holiday_rule=policy.holiday_rule,
    )
