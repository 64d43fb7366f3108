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


def policy_state(policy: CallingPolicy) -> dict:
    """What a calling policy says, as its audit events hold it (no personal data)."""
    return {
        "name": policy.name,
        "windows": [f"{w.starts_at:%H:%M}-{w.ends_at:%H:%M}" for w in policy.windows.all()],
        "weekdays": policy.weekdays,
        "holiday_rule": policy.holiday_rule,
        "quiet_before": f"{policy.quiet_before:%H:%M}",
        "quiet_after": f"{policy.quiet_after:%H:%M}",
        "timezone": policy.timezone,
        "is_default": policy.is_default,
    }


def policy_changed(*, policy: CallingPolicy, actor, before: dict | None = None) -> None:
    """Audit the change: with `before` (policy_state as it was), what changed, each as
    {"from": …, "to": …}, and nothing when nothing did; without, the policy as it now
    stands (a new one). Nothing to move: every list build and claim reads the policy
    afresh, so tomorrow's list follows the new windows and days."""
    after = policy_state(policy)
    if before is None:
        detail = after
    else:
        detail = {
            key: {"from": before.get(key), "to": value}
            for key, value in after.items()
            if before.get(key) != value
        }
        if not detail:
            return
    audit.record(actor=actor, action=AuditAction.CHANGE_POLICY, target=policy, **detail)
