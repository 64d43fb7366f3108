"""What the call screen asks of a graph: the next node, hidden medical nodes, a walk, rows."""

from scripts import graph as script_graph
from scripts.graph import is_medical_hidden, next_node_id, replay, visible_nodes

from .conftest import demo_graph, minimal_graph, node_in


def test_an_answer_leads_to_its_option_next_node():
    assert next_node_id(minimal_graph(), "identity", "family") == "close_family"


def test_a_statement_leads_to_its_next_node_whatever_the_answer():
    assert next_node_id(minimal_graph(), "greet", None) == "identity"


def test_an_answer_the_node_does_not_offer_leads_nowhere():
    assert next_node_id(minimal_graph(), "identity", "maybe") is None


def test_a_closing_and_an_unknown_node_lead_nowhere():
    assert next_node_id(minimal_graph(), "close_ok", None) is None
    assert next_node_id(minimal_graph(), "nope", "yes") is None


def test_a_multiple_choice_answer_follows_the_first_chosen_option():
    graph = demo_graph("after-sales")
    # q_problem's options all lead to q_callback; a list or a joined string both work.
    assert next_node_id(graph, "q_problem", ["staff", "quality"]) == "q_callback"
    assert next_node_id(graph, "q_problem", "delivery,operation") == "q_callback"
    assert next_node_id(graph, "q_problem", "") is None


def test_a_multiple_choice_question_with_its_own_next_goes_there():
    graph = minimal_graph()
    node_in(graph, "q1").update(answer_type="multiple", next="close_family")
    assert next_node_id(graph, "q1", "good") == "close_family"


def test_a_medical_node_is_hidden_until_identity_is_confirmed():
    graph = minimal_graph()
    assert is_medical_hidden(graph, "q1", identity_confirmed=False) is True
    assert is_medical_hidden(graph, "q1", identity_confirmed=True) is False
    assert is_medical_hidden(graph, "greet", identity_confirmed=False) is False


def test_a_node_saying_patient_data_is_hidden_like_a_medical_one():
    graph = demo_graph()
    # s_reminder carries "medical": true; s_purpose names the department and the doctor.
    del node_in(graph, "s_purpose")["medical"]
    assert is_medical_hidden(graph, "s_purpose", identity_confirmed=False) is True


def test_visible_nodes_leave_out_the_medical_ones_before_identity():
    ids = [item["id"] for item in visible_nodes(minimal_graph(), identity_confirmed=False)]
    assert ids == ["greet", "identity", "close_ok", "close_family", "close_wrong"]
    assert len(visible_nodes(minimal_graph(), identity_confirmed=True)) == 6


def test_a_walk_follows_answers_and_notes_the_identity_check():
    walk = replay(minimal_graph(), ["greet", "identity:yes", "q1:poor"])
    assert [step.node["id"] for step in walk.steps] == ["greet", "identity", "q1", "close_ok"]
    assert [step.answer for step in walk.steps] == [None, "yes", "poor", None]
    assert walk.identity_confirmed is True
    assert walk.current is None
    assert walk.disposition == "complete"


def test_a_walk_stops_at_the_first_step_that_does_not_fit():
    walk = replay(minimal_graph(), ["greet", "q1:good"])
    assert walk.current["id"] == "identity"
    assert walk.path == ("greet",)


def test_an_objection_that_ends_the_call_ends_the_walk():
    walk = replay(minimal_graph(), ["greet", "!busy"])
    assert walk.disposition == "callback"
    assert walk.steps[-1].is_objection is True
    assert walk.current is None


def test_an_objection_that_jumps_goes_on_at_its_target():
    walk = replay(demo_graph(), ["greet", "identity:yes", "!complained"])
    assert walk.current["id"] == "s_complaint"


def test_rows_put_each_node_below_every_node_leading_to_it():
    graph = minimal_graph()
    graph["nodes"].append({"id": "lost", "kind": "closing", "text": "x", "disposition": "busy"})
    assert script_graph.layers(graph) == [
        ["greet"],
        ["identity"],
        ["q1", "close_family", "close_wrong"],
        ["close_ok"],
        ["lost"],
    ]
