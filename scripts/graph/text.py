"""Variables in a call-script text: render_text fills the whitelisted {a.b} placeholders
with their values, as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext

from scripts.graph.schema import KNOWN_VARIABLES, PLACEHOLDER, VARIABLE_LABELS

__all__ = ["render_text"]


def render_text(text: str, values: Mapping[str, str | None]) -> str:
    """The text with each whitelisted {a.b} replaced by its value, as plain text.

    A known variable without a value shows a visible placeholder; an unknown one shows
    itself marked unknown. Values are inserted once, never re-read as placeholders, and
    nothing is looked up on an object: a regex substitution from a dict of strings."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in KNOWN_VARIABLES:
            return gettext("[unknown variable: %(name)s]") % {"name": name}
        value = values.get(name)
        if value is None or str(value) == "":
            return gettext("[%(label)s?]") % {"label": VARIABLE_LABELS[name]}
        return str(value)

    if not isinstance(text, str):
        return ""
    return PLACEHOLDER.sub(replace, text)
