"""The call-script graph as a picture: to_svg() draws it top to bottom, with the layered
layout (_Layout), node boxes coloured by kind and problem nodes in red.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from django.utils.translation import gettext

from scripts.graph.reading import (
    _depths,
    _index,
    _str,
    edges,
    is_medical,
    options_of,
    reachable,
    takes_options,
)
from scripts.graph.schema import NODE_KIND_LABELS

__all__ = [
    "DUMMY_WIDTH",
    "EDGE_LABEL_CHARACTERS",
    "GAP_X",
    "GAP_Y",
    "HEADING_CHARACTERS",
    "KIND_COLOURS",
    "MARGIN",
    "NODE_HEIGHT",
    "NODE_WIDTH",
    "ORDERING_SWEEPS",
    "PORT_SPACING",
    "PROBLEM_COLOURS",
    "SNIPPET_CHARACTERS",
    "to_svg",
]

NODE_WIDTH, NODE_HEIGHT = 168, 48
GAP_X, GAP_Y, MARGIN = 28, 46, 16
# Label widths in full-width characters (a Latin letter counts about half).
HEADING_CHARACTERS, EDGE_LABEL_CHARACTERS = 13, 9
SNIPPET_CHARACTERS = 12
KIND_COLOURS = {
    "greeting": ("#e7f1ff", "#0d6efd"),
    "identity_check": ("#fff3cd", "#b58100"),
    "question": ("#e8f5e9", "#198754"),
    "statement": ("#f1f3f5", "#6c757d"),
    "closing": ("#e2e3f3", "#3d3f8f"),
}
PROBLEM_COLOURS = ("#fde8e8", "#dc3545")


def to_svg(
    graph: Mapping, *, title: str = "", dispositions: Mapping[str, str] | None = None
) -> str:
    """The graph drawn as SVG, top to bottom (each node below every node that leads to it),
    nodes coloured by kind, edges labelled with their answers, edges that close a loop
    drawn round the right. Dead ends, broken links and nodes no call can reach are red
    with a dashed border. A closing node names its disposition by `dispositions` (code →
    label, the caller's: the graph knows no model), else by its code."""
    index = _index(graph)
    if not index:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" role="img">'
            f'<text x="10" y="24" font-size="13">{escape(gettext("No nodes yet."))}</text></svg>'
        )
    layout = _Layout(graph, index)
    reached = reachable(graph)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} '
        f'{layout.height:.0f}" width="{layout.width:.0f}" height="{layout.height:.0f}" '
        'role="img" class="script-graph" font-family="system-ui, -apple-system, '
        "'Segoe UI', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif\">",
        f"<title>{escape(title or gettext('Script graph'))}</title>",
        "<defs>",
        *(
            f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
            for name, colour in (("ok", "#6c757d"), ("bad", "#dc3545"))
        ),
        "</defs>",
    ]
    labels = []
    for node_id, item in index.items():
        for target, label in _merged_edges(item):
            path, label_at, ok = layout.edge(node_id, target)
            colour, dash = ("#8a939c", "") if ok else ("#dc3545", ' stroke-dasharray="4 3"')
            parts.append(
                f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.3"{dash} '
                f'marker-end="url(#arrow-{"ok" if ok else "bad"})"/>'
            )
            if not ok:
                label = f"{label} → {target}?".strip(" →")
            if label:
                labels.append(_edge_label(label, label_at))
    parts += labels
    for node_id, item in index.items():
        problem = _is_problem(item, index, reached)
        parts.append(
            _node_box(item, layout.box(node_id), problem=problem, dispositions=dispositions or {})
        )
    parts.append("</svg>")
    return "".join(parts)


DUMMY_WIDTH = 12
PORT_SPACING = 36
ORDERING_SWEEPS = 4


class _Layout:
    """Where each node of the picture goes: rows from layers(), an invisible waypoint in
    every row a long edge crosses, rows ordered by the mean position of their neighbours
    (a few sweeps down and up, as layered graph drawing does) so edges cross little."""

    def __init__(self, graph: Mapping, index: Mapping[str, Mapping]):
        self.index = index
        self.depth, self.back = _depths(graph, index)
        rows: list[list] = [[] for _ in range(max(self.depth.values(), default=-1) + 1)]
        for node_id in index:
            if node_id in self.depth:
                rows[self.depth[node_id]].append(node_id)
        self.waypoints: dict[tuple[str, str], list[tuple]] = {}
        neighbours: list[tuple] = []
        for node_id, item in index.items():
            for target, _label in _merged_edges(item):
                if not self._forward(node_id, target):
                    continue
                chain: list = [node_id]
                for row in range(self.depth[node_id] + 1, self.depth[target]):
                    waypoint = ("~", node_id, target, row)
                    rows[row].append(waypoint)
                    chain.append(waypoint)
                chain.append(target)
                self.waypoints[(node_id, target)] = chain[1:-1]
                neighbours += list(zip(chain, chain[1:], strict=False))
        unreached = [node_id for node_id in index if node_id not in self.depth]
        self.rows = _order_rows(rows, neighbours)
        self.ports: dict[tuple[str, str], float] = {}
        if unreached:
            self.rows.append(unreached)
        widest = max(_row_width(row) for row in self.rows)
        # Room on the right for the edges that close a loop or join unreachable nodes.
        self.width = widest + 2 * MARGIN + 2 * GAP_X
        self.height = len(self.rows) * (NODE_HEIGHT + GAP_Y) - GAP_Y + 2 * MARGIN + GAP_Y / 2
        self.centre: dict[Any, float] = {}
        self.top: dict[Any, float] = {}
        for number, row in enumerate(self.rows):
            x = MARGIN + (widest - _row_width(row)) / 2
            for slot in row:
                slot_width = DUMMY_WIDTH if isinstance(slot, tuple) else NODE_WIDTH
                self.centre[slot] = x + slot_width / 2
                self.top[slot] = MARGIN + number * (NODE_HEIGHT + GAP_Y)
                x += slot_width + GAP_X
        # Edges leave a node side by side, ordered as their first stops lie, so that the
        # answers' labels sit apart.
        for node_id in index:
            going = sorted(
                (self.centre[(self.waypoints[key] or [key[1]])[0]], key)
                for key in self.waypoints
                if key[0] == node_id
            )
            spread = min(PORT_SPACING, NODE_WIDTH / (len(going) + 1))
            for place, (_x, key) in enumerate(going):
                self.ports[key] = (place - (len(going) - 1) / 2) * spread

    def _forward(self, source: str, target: str) -> bool:
        return (
            source in self.depth
            and target in self.depth
            and (source, target) not in self.back
            and self.depth[target] > self.depth[source]
        )

    def box(self, node_id: str) -> tuple[float, float]:
        return self.centre[node_id] - NODE_WIDTH / 2, self.top[node_id]

    def edge(self, source: str, target: str) -> tuple[str, tuple[float, float], bool]:
        """The SVG path of an edge, where its label goes, and whether it is sound."""
        sx, sy = self.centre[source], self.top[source] + NODE_HEIGHT
        if target not in self.index:
            # A link to nothing: a short red stub.
            end = sy + GAP_Y / 2
            return f"M{sx:.1f},{sy:.1f} L{sx:.1f},{end:.1f}", (sx, end + 10), False
        if not self._forward(source, target):
            return self._around(source, target)
        sx += self.ports.get((source, target), 0)
        points = [(sx, sy)]
        for waypoint in self.waypoints.get((source, target), []):
            x, top = self.centre[waypoint], self.top[waypoint]
            points += [(x, top), (x, top + NODE_HEIGHT)]
        points.append((self.centre[target], self.top[target]))
        path = [f"M{sx:.1f},{sy:.1f}"]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            if x1 == x2:
                path.append(f"L{x2:.1f},{y2:.1f}")
                continue
            bend = (y2 - y1) / 2
            path.append(f"C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f} {x2:.1f},{y2:.1f}")
        (x1, y1), (x2, y2) = points[0], points[1]
        return " ".join(path), ((x1 + x2) / 2, (y1 + y2) / 2), True

    def _around(self, source: str, target: str) -> tuple[str, tuple[float, float], bool]:
        """Back up a loop, or between unreachable nodes: round the right-hand side."""
        sx = self.centre[source] + NODE_WIDTH / 2
        sy = self.top[source] + NODE_HEIGHT / 2
        tx = self.centre[target] + NODE_WIDTH / 2
        ty = self.top[target] + NODE_HEIGHT / 2
        out = max(sx, tx) + GAP_X * 1.5
        path = f"M{sx:.1f},{sy:.1f} C{out:.1f},{sy:.1f} {out:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
        return path, (out - GAP_X * 0.4, (sy + ty) / 2), True


def _order_rows(rows: list[list], neighbours: list[tuple]) -> list[list]:
    above: dict[Any, list] = {}
    below: dict[Any, list] = {}
    for upper, lower in neighbours:
        above.setdefault(lower, []).append(upper)
        below.setdefault(upper, []).append(lower)
    position = {slot: place for row in rows for place, slot in enumerate(row)}

    def reorder(row: list, linked: dict[Any, list]) -> list:
        def key(slot) -> float:
            known = [position[other] for other in linked.get(slot, [])]
            return sum(known) / len(known) if known else position[slot]

        ordered = sorted(row, key=key)
        for place, slot in enumerate(ordered):
            position[slot] = place
        return ordered

    for _sweep in range(ORDERING_SWEEPS):
        for number in range(1, len(rows)):
            rows[number] = reorder(rows[number], above)
        for number in range(len(rows) - 2, -1, -1):
            rows[number] = reorder(rows[number], below)
    return rows


def _row_width(row: list) -> float:
    widths = [DUMMY_WIDTH if isinstance(slot, tuple) else NODE_WIDTH for slot in row]
    return sum(widths) + GAP_X * (len(widths) - 1)


def _merged_edges(item: Mapping) -> list[tuple[str, str]]:
    """One edge per target, its answers' labels joined."""
    merged: dict[str, list[str]] = {}
    for edge in edges(item):
        labels = merged.setdefault(edge.target, [])
        if edge.label and edge.label not in labels:
            labels.append(edge.label)
    # Options without a target are dead ends drawn by the node's colour, not as edges.
    return [(target, " / ".join(labels)) for target, labels in merged.items()]


def _edge_label(full_label: str, at: tuple[float, float]) -> str:
    x, y = at
    label = _shorten(full_label, EDGE_LABEL_CHARACTERS)
    width = _text_width(label, 10) + 6
    return (
        f'<g class="edge-label"><title>{escape(full_label)}</title>'
        f'<rect x="{x - width / 2:.1f}" y="{y - 8:.1f}" '
        f'width="{width:.1f}" height="14" rx="3" fill="#ffffff" fill-opacity="0.9"/>'
        f'<text x="{x:.1f}" y="{y + 3:.1f}" font-size="10" text-anchor="middle" '
        f'fill="#495057">{escape(label)}</text></g>'
    )


def _node_box(
    item: Mapping, at: tuple[float, float], *, problem: bool, dispositions: Mapping[str, str]
) -> str:
    x, y = at
    node_id = str(item.get("id"))
    fill, stroke = (
        PROBLEM_COLOURS
        if problem
        else KIND_COLOURS.get(_str(item, "kind"), KIND_COLOURS["statement"])
    )
    dash = ' stroke-dasharray="5 3"' if problem else ""
    kind = NODE_KIND_LABELS.get(_str(item, "kind"), str(item.get("kind")))
    heading = f"{node_id} · {kind}"
    if item.get("kind") == "closing" and item.get("disposition"):
        # The disposition as the editor names it (接通：部分完成), never its raw code.
        disposition = str(item["disposition"])
        heading = f"{node_id} · {dispositions.get(disposition, disposition)}"
    text = str(item.get("text") or "")
    # The whole heading on hover when the box cuts it (a closing node's disposition).
    named = heading if item.get("kind") == "closing" else node_id
    medical = ' <tspan fill="#b02a37">✚</tspan>' if is_medical(item) else ""
    return (
        f'<g class="node{" problem" if problem else ""}" data-node="{escape(node_id)}">'
        f"<title>{escape(named)}: {escape(text)}</title>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
        f'<text x="{x + 8:.1f}" y="{y + 18:.1f}" font-size="11" font-weight="600" '
        f'fill="{stroke}">{escape(_shorten(heading, HEADING_CHARACTERS))}{medical}</text>'
        f'<text x="{x + 8:.1f}" y="{y + 36:.1f}" font-size="11" fill="#343a40">'
        f"{escape(_shorten(text, SNIPPET_CHARACTERS))}</text></g>"
    )


def _is_problem(item: Mapping, index: Mapping[str, Mapping], reached: set[str]) -> bool:
    """Unreachable, a dead end, or leading to a node that does not exist."""
    if item.get("id") not in reached:
        return True
    if item.get("kind") == "closing":
        return False
    if takes_options(item) and not (item.get("answer_type") == "multiple" and item.get("next")):
        if any(not option.get("next") for option in options_of(item)):
            return True
    targets = [edge.target for edge in edges(item)]
    return not targets or any(target not in index for target in targets)


def _shorten(text: str, limit: int) -> str:
    """At most `limit` wide characters (a Latin letter counts half)."""
    used, kept = 0.0, []
    for character in text:
        used += 0.55 if ord(character) < 0x2E80 else 1
        if used > limit:
            return "".join(kept).rstrip() + "…"
        kept.append(character)
    return text


def _text_width(text: str, size: int) -> float:
    return sum(size * (0.58 if ord(character) < 0x2E80 else 1.0) for character in text)
