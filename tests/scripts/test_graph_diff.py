"""diff(): what changed between two versions' graphs."""

from scripts.graph import FieldChange, ItemChange, diff, text_changes

from .conftest import minimal_graph, node_in


def test_the_same_graph_has_no_changes():
    assert diff(minimal_graph(), minimal_graph()).is_empty


def test_moving_a_node_in_the_list_is_no_change():
    new = minimal_graph()
    new["nodes"].reverse()
    assert diff(minimal_graph(), new).is_empty


def test_it_lists_added_removed_and_changed_nodes_and_objections():
    old, new = minimal_graph(), minimal_graph()
    node_in(new, "q1")["text"] = "恢复得好吗？"
    node_in(new, "q1")["options"][1]["next"] = "close_family"
    new["nodes"].remove(node_in(new, "close_wrong"))
    node_in(new, "identity")["options"].pop()
    new["nodes"].append({"id": "s1", "kind": "statement", "text": "新", "next": "close_ok"})
    new["objections"][0]["text"] = "好的，改天再打"
    new["objections"].append({"id": "scam", "label": "骗子", "text": "不是", "action": "return"})
    changes = diff(old, new)
    assert changes.added_nodes == ("s1",)
    assert changes.removed_nodes == ("close_wrong",)
    assert [change.item_id for change in changes.changed_nodes] == ["identity", "q1"]
    assert changes.node_change("q1").get("text") == FieldChange(
        "text", "恢复得怎么样？", "恢复得好吗？"
    )
    assert [field.field for field in changes.node_change("q1").changes] == ["text", "options"]
    assert changes.added_objections == ("scam",)
    assert changes.removed_objections == ()
    assert changes.changed_objections == (
        ItemChange("busy", (FieldChange("text", "那我改天再打", "好的，改天再打"),)),
    )
    assert changes.start is None


def test_a_new_start_is_a_change():
    new = minimal_graph()
    new["start"] = "identity"
    assert diff(minimal_graph(), new).start == ("greet", "identity")


def test_text_changes_mark_what_was_deleted_and_inserted():
    assert text_changes("恢复得怎么样？", "恢复得好吗？") == [
        ("equal", "恢复得"),
        ("delete", "怎么样"),
        ("insert", "好吗"),
        ("equal", "？"),
    ]
