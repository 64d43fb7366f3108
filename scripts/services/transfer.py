"""Export of a script version as a self-describing JSON document, and import of such a
document as a new draft (checked as for publishing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from followups.models import CaseKind
from scripts import graph as script_graph
from scripts.graph import GraphError
from scripts.models import CallScript, ScriptVersion, ScriptVersionStatus
from scripts.services.drafts import RESERVED_CODES, InvalidScript

EXPORT_FORMAT = "huifang-script"
EXPORT_FORMAT_VERSION = 1


# --- Import and export ----------------------------------------------------------------------


def export_version(version: ScriptVersion) -> dict:
    """The version as a self-describing document another center can import."""
    script = version.script
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "script": {
            "code": script.code,
            "name": script.name,
            "case_kind": script.case_kind,
            "description": script.description,
        },
        "version": {
            "number": version.number,
            "status": version.status,
            "change_note": version.change_note,
            "published_at": version.published_at.isoformat() if version.published_at else None,
        },
        "graph": version.graph,
    }


def import_version(*, data: Mapping | str | bytes, actor) -> ScriptVersion:
    """A new draft from an exported document: of the script with the same code (which may
    not have a draft already), else of a new script. The graph is validated as for
    publishing; any problem raises InvalidScript and nothing is created."""
    envelope = _read_envelope(data)
    errors = script_graph.validate(envelope["graph"], for_sensitive=True)
    if errors:
        raise InvalidScript(errors)
    meta = envelope["script"]
    try:
        with transaction.atomic():
            script = CallScript.objects.select_for_update().filter(code=meta["code"]).first()
            if script is None:
                if CallScript.objects.filter(name=meta["name"]).exists():
                    raise InvalidScript(
                        [_envelope_error("script.name", _("Another script has this name."))]
                    )
                script = CallScript.objects.create(
                    code=meta["code"],
                    name=meta["name"],
                    case_kind=meta["case_kind"],
                    description=meta["description"],
                )
            draft = script.versions.filter(status=ScriptVersionStatus.DRAFT).first()
            if draft is not None:
                raise InvalidScript(
                    [
                        _envelope_error(
                            "script.code",
                            _(
                                "The script “%(name)s” already has a draft (version %(number)s):"
                                " publish or finish it first."
                            )
                            % {"name": script.name, "number": draft.number},
                        )
                    ]
                )
            last = script.versions.aggregate(last=Max("number"))["last"] or 0
            return ScriptVersion.objects.create(
                script=script, number=last + 1, graph=envelope["graph"], created_by=actor
            )
    except IntegrityError:
        raise InvalidScript(
            [_envelope_error("script", _("Someone saved this script at the same moment; retry."))]
        ) from None


CODE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


def _read_envelope(data: Mapping | str | bytes) -> dict:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise InvalidScript(
                [_envelope_error(None, _("The file is not JSON (an exported script is)."))]
            ) from None
    if not isinstance(data, Mapping):
        raise InvalidScript([_envelope_error(None, _("The file is not an exported script."))])
    if data.get("format") != EXPORT_FORMAT:
        raise InvalidScript(
            [_envelope_error("format", _("The file is not an exported Huifang script."))]
        )
    if data.get("format_version") != EXPORT_FORMAT_VERSION:
        raise InvalidScript(
            [
                _envelope_error(
                    "format_version",
                    _(
                        "This export format version (%(found)s) is not one this system reads "
                        "(%(known)s)."
                    )
                    % {"found": data.get("format_version"), "known": EXPORT_FORMAT_VERSION},
                )
            ]
        )
    meta, graph = data.get("script"), data.get("graph")
    errors = []
    if not isinstance(meta, Mapping):
        errors.append(_envelope_error("script", _("The script's name and code are missing.")))
        meta = {}
    code, name = meta.get("code"), meta.get("name")
    if not isinstance(code, str) or not CODE.match(code) or code in RESERVED_CODES:
        errors.append(_envelope_error("script.code", _("The script code is missing or invalid.")))
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors.append(_envelope_error("script.name", _("The script name is missing or too long.")))
    case_kind = meta.get("case_kind") or ""
    if case_kind not in CaseKind.values and case_kind != "":
        errors.append(_envelope_error("script.case_kind", _("Unknown case kind.")))
    if not isinstance(graph, Mapping):
        errors.append(_envelope_error("graph", _("The script graph is missing.")))
    if errors:
        raise InvalidScript(errors)
    description = meta.get("description")
    return {
        "script": {
            "code": code,
            "name": name.strip(),
            "case_kind": case_kind,
            "description": description if isinstance(description, str) else "",
        },
        "graph": dict(graph),
    }


def _envelope_error(field_name: str | None, message) -> GraphError:
    return GraphError(None, field_name, str(message))
