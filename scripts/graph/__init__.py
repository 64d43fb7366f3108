"""The rules of a call-script graph (schema 1): validation, variables, navigation, diff, SVG.

Pure: dicts in, answers out, no ORM. The agent console, the script editor and the import
all use these functions, so a graph means the same thing everywhere.

The parts:

- schema: the vocabulary (node kinds, answer types, outcome fields, dispositions,
  variables) and the GraphError and Edge records;
- reading: reading a graph (nodes, options, edges, next node, medical nodes, reach, layers);
- text: render_text, the variables of a text filled in;
- validation: validate() and the grouping of its errors;
- walk: replay(), a walk through the script (the preview and the runner);
- compare: diff() between two versions, and text_changes();
- svg: to_svg(), the graph as a picture.

Everything public is re-exported here: use `from scripts import graph as script_graph` and
`script_graph.<name>`.
"""

from scripts.graph.compare import (
    COMPARED_NODE_FIELDS,
    COMPARED_OBJECTION_FIELDS,
    FieldChange,
    GraphDiff,
    ItemChange,
    diff,
    text_changes,
)
from scripts.graph.reading import (
    edges,
    is_medical,
    is_medical_hidden,
    layers,
    next_node_id,
    node,
    nodes_of,
    objection,
    objections_of,
    options_of,
    reachable,
    takes_next,
    takes_options,
    variables_in,
    visible_nodes,
)
from scripts.graph.schema import (
    ANSWER_TYPE_LABELS,
    ANSWER_TYPES,
    DISPOSITIONS,
    FREE_ANSWER_TYPES,
    IDENTITY_CONFIRMED,
    KNOWN_SCHEMAS,
    KNOWN_VARIABLES,
    MEDICAL_VARIABLE_PREFIX,
    NODE_ID,
    NODE_KIND_LABELS,
    NODE_KINDS,
    OBJECTION_ACTION_LABELS,
    OBJECTION_ACTIONS,
    OPTION_ANSWER_TYPES,
    OUTCOME_FIELD_LABELS,
    OUTCOME_FIELDS,
    PLACEHOLDER,
    RATING_LABELS,
    RATING_LEVELS,
    SCHEMA_VERSION,
    VARIABLE_LABELS,
    Edge,
    GraphError,
)
from scripts.graph.svg import (
    DUMMY_WIDTH,
    EDGE_LABEL_CHARACTERS,
    GAP_X,
    GAP_Y,
    HEADING_CHARACTERS,
    KIND_COLOURS,
    MARGIN,
    NODE_HEIGHT,
    NODE_WIDTH,
    ORDERING_SWEEPS,
    PORT_SPACING,
    PROBLEM_COLOURS,
    SNIPPET_CHARACTERS,
    to_svg,
)
from scripts.graph.text import render_text
from scripts.graph.validation import (
    errors_by_node,
    errors_by_objection,
    objection_field,
    validate,
)
from scripts.graph.walk import Step, Walk, replay

__all__ = [
    "ANSWER_TYPES",
    "ANSWER_TYPE_LABELS",
    "COMPARED_NODE_FIELDS",
    "COMPARED_OBJECTION_FIELDS",
    "DISPOSITIONS",
    "DUMMY_WIDTH",
    "EDGE_LABEL_CHARACTERS",
    "FREE_ANSWER_TYPES",
    "GAP_X",
    "GAP_Y",
    "HEADING_CHARACTERS",
    "IDENTITY_CONFIRMED",
    "KIND_COLOURS",
    "KNOWN_SCHEMAS",
    "KNOWN_VARIABLES",
    "MARGIN",
    "MEDICAL_VARIABLE_PREFIX",
    "NODE_HEIGHT",
    "NODE_ID",
    "NODE_KINDS",
    "NODE_KIND_LABELS",
    "NODE_WIDTH",
    "OBJECTION_ACTIONS",
    "OBJECTION_ACTION_LABELS",
    "OPTION_ANSWER_TYPES",
    "ORDERING_SWEEPS",
    "OUTCOME_FIELDS",
    "OUTCOME_FIELD_LABELS",
    "PLACEHOLDER",
    "PORT_SPACING",
    "PROBLEM_COLOURS",
    "RATING_LABELS",
    "RATING_LEVELS",
    "SCHEMA_VERSION",
    "SNIPPET_CHARACTERS",
    "VARIABLE_LABELS",
    "Edge",
    "FieldChange",
    "GraphDiff",
    "GraphError",
    "ItemChange",
    "Step",
    "Walk",
    "diff",
    "edges",
    "errors_by_node",
    "errors_by_objection",
    "is_medical",
    "is_medical_hidden",
    "layers",
    "next_node_id",
    "node",
    "nodes_of",
    "objection",
    "objection_field",
    "objections_of",
    "options_of",
    "reachable",
    "render_text",
    "replay",
    "takes_next",
    "takes_options",
    "text_changes",
    "to_svg",
    "validate",
    "variables_in",
    "visible_nodes",
]
