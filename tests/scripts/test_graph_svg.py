"""to_svg(): the graph as a picture, with problems marked and every text escaped."""

import re
import xml.etree.ElementTree as ET

from followups.models import Disposition
from scripts.graph import to_svg

from .conftest import demo_graph, minimal_graph, node_in

SVG = "{http://www.w3.org/2000/svg}"


def nodes_drawn(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    return {
        group.get("data-node"): group.get("class")
        for group in root.iter(f"{SVG}g")
        if group.get("data-node")
    }


def test_every_node_is_drawn_once_as_well_formed_svg():
    graph = demo_graph()
    drawn = nodes_drawn(to_svg(graph))
    assert sorted(drawn) == sorted(item["id"] for item in graph["nodes"])
    assert set(drawn.values()) == {"node"}


def test_answers_label_their_edges():
    svg = to_svg(minimal_graph())
    labels = [text for text in re.findall(r"<title>([^<]*)</title>", svg)]
    assert {"是本人", "家属接听", "不是", "不错 / 不好"} <= set(labels)


def test_dead_ends_and_unreachable_nodes_are_marked():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][1]["next"] = "s1"
    graph["nodes"] += [
        {"id": "s1", "kind": "statement", "text": "好的"},
        {"id": "lost", "kind": "closing", "text": "x", "disposition": "busy"},
    ]
    drawn = nodes_drawn(to_svg(graph))
    assert drawn["s1"] == "node problem"
    assert drawn["lost"] == "node problem"
    assert drawn["q1"] == "node"


def test_a_link_to_a_missing_node_is_drawn_and_named():
    graph = minimal_graph()
    node_in(graph, "q1")["options"][0]["next"] = "q9"
    svg = to_svg(graph)
    assert nodes_drawn(svg)["q1"] == "node problem"
    assert "不错 → q9?" in svg


def test_texts_are_escaped():
    graph = minimal_graph()
    node_in(graph, "q1")["text"] = '<script>alert("x")</script>'
    svg = to_svg(graph)
    assert "<script>" not in svg
    ET.fromstring(svg)  # noqa: S314 (our own output)


def test_an_empty_graph_says_so():
    assert "<svg" in to_svg({"schema": 1, "nodes": []})


def test_a_closing_node_reads_its_disposition_label_not_its_code(english):
    graph = minimal_graph()
    node_in(graph, "close_ok")["disposition"] = "partial"
    graph["nodes"].append({"id": "bye", "kind": "closing", "text": "再见", "disposition": "family"})
    node_in(graph, "q1")["options"][1]["next"] = "bye"
    svg = to_svg(graph, dispositions=dict(Disposition.choices))
    headings = re.findall(r'font-weight="600" fill="[^"]+">([^<]*)<', svg)
    assert "close_ok · Reached: par…" in headings
    assert "bye · Family member ans…" in headings
    assert not any(heading.endswith(("· partial", "· family")) for heading in headings)
    # Cut in the box, whole on hover.
    assert "<title>close_ok · Reached: partial: " in svg
