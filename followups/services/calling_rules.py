"""The calling rules as the claim and the outcome read them: each calling policy's rules
(scheduling.CallingRules) and each plan's policy, cached per process for a minute and
dropped whenever a policy, window, holiday override or plan is saved, so that a claim
reads neither; and the state of a group of customers (one policy on one clock) at a
moment: open, callbacks only, or closed; and the first moment a waiting follow-up may be
called (what the claim says when nothing may be, and the agent's list beside each call).
selectors/policies.py reads the same rules uncached (policies_with_rules); this module is
its cache, not a second rule."""

import datetime as dt
import time
from dataclasses import dataclass
from enum import StrEnum

from django.db.models.signals import post_delete, post_save

from followups.models import CallingPolicy, CallingWindow, FollowUpPlan, HolidayOverride
from followups.scheduling import (
    CallingRules,
    is_callable,
    next_callable_moment,
    place_callback,
)
from followups.services.policies import default_policy_id, policies_with_rules

RULES_CACHE_SECONDS = 60
UNKNOWN_ID_RELOAD_SECONDS = 5

# (the case's plan id or None, the customer's timezone or ""): one calling policy on one
# clock, so one answer to "may they be called now?".
GroupKey = tuple[int | None, str]


class GroupState(StrEnum):
    OPEN = "open"  # inside a calling window: every due entry may be called
    CALLBACKS_ONLY = "callbacks_only"  # outside windows, not in quiet hours: booked callbacks
    CLOSED = "closed"  # quiet hours or a closed day: nothing


@dataclass(frozen=True)
class _Reference:
    loaded: float
    expires: float
    rules: dict[int, CallingRules]
    default_policy: int | None
    policy_of_plan: dict[int, int]


_reference: dict[str, _Reference] = {}
_seen_groups: set[GroupKey] = set()


def forget_calling_rules(**_signal_kwargs) -> None:
    _reference.clear()
    _seen_groups.clear()


for _model in (CallingPolicy, CallingWindow, HolidayOverride, FollowUpPlan):
    post_save.connect(forget_calling_rules, sender=_model, dispatch_uid=f"rules-{_model.__name__}")
    post_delete.connect(
        forget_calling_rules, sender=_model, dispatch_uid=f"rules-del-{_model.__name__}"
    )


def _reference_data(*, policy_id: int | None = None, plan_id: int | None = None) -> _Reference:
    cached, moment = _reference.get("current"), time.monotonic()
    # An id not in the cache may be new (made in another process): read again, but not
    # more than once a few seconds, so an id that is gone costs no query per claim.
    unknown = (
        (policy_id is not None and policy_id not in cached.rules)
        or (plan_id is not None and plan_id not in cached.policy_of_plan)
        if cached
        else False
    )
    if (
        cached is None
        or cached.expires < moment
        or (unknown and moment - cached.loaded > UNKNOWN_ID_RELOAD_SECONDS)
    ):
        cached = _Reference(
            loaded=moment,
            expires=moment + RULES_CACHE_SECONDS,
            rules=policies_with_rules(),
            default_policy=default_policy_id(),
            policy_of_plan=dict(FollowUpPlan.objects.values_list("pk", "calling_policy_id")),
        )
        _reference["current"] = cached
    return cached


def calling_rules_for(*, policy_id: int | None, timezone_name: str) -> CallingRules:
    """A policy's rules (None: the default policy, else the built-in defaults) on the
    customer's clock: policies.rules_for_case's answer without its queries."""
    reference = _reference_data(policy_id=policy_id)
    rules = reference.rules.get(policy_id or reference.default_policy) or CallingRules()
    return rules.for_timezone(timezone_name)


def calling_rules_of_group(key: GroupKey) -> CallingRules:
    plan_id, timezone_name = key
    policy_id = _reference_data(plan_id=plan_id).policy_of_plan.get(plan_id) if plan_id else None
    return calling_rules_for(policy_id=policy_id, timezone_name=timezone_name)


def group_state(rules: CallingRules, now: dt.datetime) -> GroupState:
    if is_callable(now, rules):
        return GroupState.OPEN
    if place_callback(now, rules)[1] is None:
        return GroupState.CALLBACKS_ONLY
    return GroupState.CLOSED


def first_callable_moment(
    key: GroupKey,
    *,
    booked_callback: dt.datetime | None,
    earliest_at: dt.datetime | None,
    now: dt.datetime,
) -> dt.datetime | None:
    """The first moment from `now` a waiting follow-up of the group may be called: its
    booked callback's time (`booked_callback`, None for any other follow-up) moved out of
    quiet hours and closed days, else its earliest moment or the next window after it.
    None when its policy has no window at all."""
    rules = calling_rules_of_group(key)
    try:
        if booked_callback is not None:
            return place_callback(max(now, booked_callback), rules)[0]
        return next_callable_moment(max(now, earliest_at or now), rules)
    except ValueError:
        return None
