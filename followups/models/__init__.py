"""The domain model of the follow-ups, one module per concern (docs/architecture.md); the call
scripts and their versions are the scripts app's (scripts.models)."""

from .audit import AuditAction, AuditEvent
from .calls import (
    AAPOR_GROUP_OF,
    PUT_BACK_REASONS,
    AAPORGroup,
    CallAttempt,
    CallList,
    CallReview,
    Disposition,
    Escalation,
    EscalationCategory,
    EscalationSeverity,
    EscalationStatus,
    QueueEntry,
    QueueEntryStatus,
    Satisfaction,
    ScriptAnswer,
)
from .cases import Case, CaseKind, CaseStatus, FollowUpTask, IntentClass, TaskKind, TaskStatus
from .imports import ImportJob, ImportJobStatus, ImportPhase
from .people import Customer, Department, Gender, Hospital, Patient, PreferredSlot
from .plan_rules import PlanChoice, PlanRule
from .plans import (
    CallingPolicy,
    CallingWindow,
    FollowUpPlan,
    HolidayOverride,
    HolidayOverrideKind,
    HolidayRule,
    PlanStep,
    RepeatUnit,
)
from .report_days import CallDay, DueDay, ScriptStepDay
from .staff import DutyDay, Team

__all__ = [
    "PUT_BACK_REASONS",
    "AAPOR_GROUP_OF",
    "AAPORGroup",
    "AuditAction",
    "AuditEvent",
    "CallAttempt",
    "CallDay",
    "CallList",
    "CallReview",
    "CallingPolicy",
    "CallingWindow",
    "Case",
    "CaseKind",
    "CaseStatus",
    "Customer",
    "Department",
    "Disposition",
    "DueDay",
    "DutyDay",
    "Escalation",
    "EscalationCategory",
    "EscalationSeverity",
    "EscalationStatus",
    "FollowUpPlan",
    "FollowUpTask",
    "Gender",
    "HolidayOverride",
    "HolidayOverrideKind",
    "HolidayRule",
    "Hospital",
    "ImportJob",
    "ImportJobStatus",
    "ImportPhase",
    "IntentClass",
    "Patient",
    "PlanChoice",
    "PlanRule",
    "PlanStep",
    "PreferredSlot",
    "QueueEntry",
    "QueueEntryStatus",
    "RepeatUnit",
    "Satisfaction",
    "ScriptAnswer",
    "ScriptStepDay",
    "TaskKind",
    "Team",
    "TaskStatus",
]
