"""Turning the admin's calling policies into the pure rules of followups.scheduling: a read,
for the reports and for the services that plan calls."""

from django.db.models import Prefetch

from followups.models import CallingPolicy, CallingWindow, HolidayOverrideKind
from followups.scheduling import CallingRules, Window


def policies_with_rules() -> dict[int, CallingRules]:
    """Every policy's rules, by policy id, in three queries whatever their number."""
    policies = CallingPolicy.objects.prefetch_related(
        Prefetch("windows", queryset=CallingWindow.objects.order_by("starts_at")),
        "holiday_overrides",
    )
    return {policy.pk: calling_rules(policy) for policy in policies}


def calling_rules(policy: CallingPolicy) -> CallingRules:
    overrides = list(policy.holiday_overrides.all())
    return CallingRules(
        timezone=policy.timezone,
        windows=tuple(Window(w.starts_at, w.ends_at) for w in policy.windows.all()),
        weekdays=frozenset(int(day) for day in policy.weekdays),
        holiday_rule=policy.holiday_rule,
        quiet_before=policy.quiet_before,
        quiet_after=policy.quiet_after,
        closed_days=frozenset(o.day for o in overrides if o.kind == HolidayOverrideKind.CLOSED),
        extra_working_days=frozenset(
            o.day for o in overrides if o.kind == HolidayOverrideKind.WORKING
        ),
    )


def rules_for_case(case) -> CallingRules:
    """The rules a case's calls follow: its plan's policy (else the default policy, else
    the built-in defaults) on the customer's own clock when one is set."""
    policy = case.plan.calling_policy if case.plan_id else None
    if policy is None:
        policy = CallingPolicy.objects.filter(is_default=True).first()
    rules = calling_rules(policy) if policy is not None else CallingRules()
    return rules.for_timezone(case.customer.timezone)


def default_policy_id() -> int | None:
    return CallingPolicy.objects.filter(is_default=True).values_list("pk", flat=True).first()
