"""Call scripts and their versions: drafts and their edits, publishing, retiring, import/export.

A published version never changes: every edit works on a draft, and publishing checks the
whole graph with scripts.graph first.

One module per concern, everything public re-exported here, so callers write
`from scripts import services as script_service` and `script_service.<name>`:
- overview: the reads for the script pages (script_overview);
- drafts: creating scripts, drafts, InvalidScript;
- edits: node-level edits of a draft (the editor);
- publishing: publish and retire;
- transfer: export and import;
- variables: the values of the script variables for a call or a preview.
"""

from __future__ import annotations

from scripts.services.drafts import (
    RESERVED_CODES,
    SHAPE_FIELDS,
    InvalidScript,
    create_script,
    new_draft,
    save_draft,
    starter_graph,
)
from scripts.services.edits import (
    EDITABLE_NODE_FIELDS,
    NODE_ID_PREFIXES,
    OBJECTION_FIELDS,
    add_node,
    add_objection,
    add_option,
    connect_option,
    move_node,
    remove_node,
    remove_objection,
    remove_option,
    set_start,
    update_node,
    update_objection,
    update_option,
)
from scripts.services.overview import ScriptRow, VersionRow, script_overview
from scripts.services.publishing import publish, retire
from scripts.services.transfer import (
    CODE,
    EXPORT_FORMAT,
    EXPORT_FORMAT_VERSION,
    export_version,
    import_version,
)
from scripts.services.variables import sample_values, script_values, spoken_date

__all__ = [
    "CODE",
    "EDITABLE_NODE_FIELDS",
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "NODE_ID_PREFIXES",
    "OBJECTION_FIELDS",
    "RESERVED_CODES",
    "SHAPE_FIELDS",
    "InvalidScript",
    "ScriptRow",
    "VersionRow",
    "add_node",
    "add_objection",
    "add_option",
    "connect_option",
    "create_script",
    "export_version",
    "import_version",
    "move_node",
    "new_draft",
    "publish",
    "remove_node",
    "remove_objection",
    "remove_option",
    "retire",
    "sample_values",
    "save_draft",
    "script_overview",
    "script_values",
    "set_start",
    "spoken_date",
    "starter_graph",
    "update_node",
    "update_objection",
    "update_option",
]
