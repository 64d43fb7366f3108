"""The vocabulary of a call-script graph (schema 1): the schema version, node kinds, answer
types, outcome fields, dispositions, objection actions, the variables a text may use, and
the GraphError and Edge records the other parts of scripts.graph hand out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

__all__ = [
    "ANSWER_TYPE_LABELS",
    "ANSWER_TYPES",
    "DISPOSITIONS",
    "FREE_ANSWER_TYPES",
    "IDENTITY_CONFIRMED",
    "KNOWN_SCHEMAS",
    "KNOWN_VARIABLES",
    "MEDICAL_VARIABLE_PREFIX",
    "NODE_ID",
    "NODE_KIND_LABELS",
    "NODE_KINDS",
    "OBJECTION_ACTION_LABELS",
    "OBJECTION_ACTIONS",
    "OPTION_ANSWER_TYPES",
    "OUTCOME_FIELD_LABELS",
    "OUTCOME_FIELDS",
    "PLACEHOLDER",
    "RATING_LABELS",
    "RATING_LEVELS",
    "SCHEMA_VERSION",
    "VARIABLE_LABELS",
    "Edge",
    "GraphError",
]

SCHEMA_VERSION = 1
KNOWN_SCHEMAS = frozenset({SCHEMA_VERSION})

NODE_KINDS = ("greeting", "identity_check", "question", "statement", "closing")
NODE_KIND_LABELS = {
    "greeting": _("Greeting"),
    "identity_check": _("Identity check"),
    "question": _("Question"),
    "statement": _("Statement"),
    "closing": _("Closing"),
}
ANSWER_TYPES = ("single", "multiple", "rating", "text", "number", "date")
ANSWER_TYPE_LABELS = {
    "single": _("One choice"),
    "multiple": _("Several choices"),
    "rating": _("Satisfaction rating"),
    "text": _("Free text"),
    "number": _("Number"),
    "date": _("Date"),
}
# Answer types whose answers are options, each leading on; the others are typed in and
# continue to the node's own `next`.
OPTION_ANSWER_TYPES = frozenset({"single", "multiple", "rating"})
FREE_ANSWER_TYPES = frozenset({"text", "number", "date"})

# The four satisfaction levels of the seeds (满意/一般/不满意/差); the values are those of
# followups.models.Satisfaction, the labels what the agent reads out.
RATING_LEVELS = ("satisfied", "neutral", "dissatisfied", "poor")
RATING_LABELS = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意", "poor": "差"}

# What an answer tells about the call, and the answer values each field accepts (None: any).
OUTCOME_FIELDS: dict[str, frozenset[str] | None] = {
    "satisfaction": frozenset(RATING_LEVELS),
    "intent_class": frozenset({"A", "B", "C", "D"}),
    "callback_wanted": frozenset({"yes", "no"}),
    "red_flag": frozenset({"yes", "no"}),
}
OUTCOME_FIELD_LABELS = {
    "satisfaction": _("Satisfaction"),
    "intent_class": _("Intent class (A/B/C/D)"),
    "callback_wanted": _("Callback wanted (yes/no)"),
    "red_flag": _("Red flag: needs a doctor (yes/no)"),
}

# The values of followups.models.Disposition (a test keeps the two in step).
DISPOSITIONS = (
    "complete",
    "partial",
    "family",
    "no_answer",
    "busy",
    "phone_off",
    "wrong_number",
    "refused",
    "callback",
    "deceased",
)
OBJECTION_ACTIONS = ("return", "jump", "end")
OBJECTION_ACTION_LABELS = {
    "return": _("Back to where the call was"),
    "jump": _("Go on at another node"),
    "end": _("End the call"),
}

# The answer of an identity check that confirms the person is who we called.
IDENTITY_CONFIRMED = "yes"

# The variables a text may use, in the order the editor's picker shows them. The three
# patient.* values are medical: a node that says them counts as medical.
KNOWN_VARIABLES = (
    "customer.honorific",
    "customer.name",
    "agent.name",
    "hospital.name",
    "patient.department",
    "patient.doctor",
    "patient.discharged_on",
    "case.product",
)
VARIABLE_LABELS = {
    "customer.honorific": _("customer's honorific (张先生)"),
    "customer.name": _("customer's full name"),
    "agent.name": _("agent's name"),
    "hospital.name": _("hospital name"),
    "patient.department": _("patient's department"),
    "patient.doctor": _("attending doctor"),
    "patient.discharged_on": _("discharge date"),
    "case.product": _("product or service of the case"),
}
MEDICAL_VARIABLE_PREFIX = "patient."

NODE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,59}$")
# Anything between single braces is a placeholder; what is not whitelisted renders inert.
PLACEHOLDER = re.compile(r"\{([^{}\n]{1,80})\}")


@dataclass(frozen=True)
class GraphError:
    """One problem of a graph. `node_id` is None for the graph as a whole and for objection
    handlers, whose `field` reads "objections.<id>.<key>"."""

    node_id: str | None
    field: str | None
    message: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    # The option value that takes this edge; None for a node's own `next`.
    value: str | None
    label: str
